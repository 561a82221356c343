// What the fault tests share: the cluster of npm run cluster on free loopback
// ports (scripts/cluster.ts, whose parts each test stops, kills and restarts),
// sign-in, batches submitted and awaited, watchers that resume the way the web
// client does, the receipt's event log read straight from PostgreSQL, and the
// figures each test prints (items lost, applied twice, failed because of the
// outage, event-log gaps, seconds to recover, processes that exited).
//
// Every test file is gated with describe.skipIf(!process.env.TEST_CLUSTER):
// they need Debian's PostgreSQL and Redis and take minutes (CI's last step).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Client, createClient } from "graphql-ws";
import pg from "pg";
import WebSocket from "ws";
import {
  type Cluster,
  type ClusterOptions,
  type GatewayPart,
  PORT_OFFSETS,
  portIsFree,
  startCluster,
} from "../../scripts/cluster.ts";
import { activeLineIds, graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { waitUntil } from "../support/wait.ts";

export type { Cluster, GatewayPart };

export const clusterTests = Boolean(process.env.TEST_CLUSTER);

/** Every node process of a fault test's cluster gets these (each may override them). */
export const FAULT_ENV = {
  // Inside R4's acceptance hours, whenever CI runs.
  FAKE_NOW: "2026-11-24T10:00:00+09:00",
  // The latency of the measurements.
  CARRIER_LATENCY_MS: "200-400",
  // No random rejections: an item that FAILED failed because of the fault.
  CARRIER_FAILURE_RATE: "0",
};

/** Codes with which the carrier refuses a line for good; any other failure is the outage's doing. */
export const PERMANENT_FAILURES = new Set(["CARRIER_REJECTED", "UNKNOWN_LINE"]);

/**
 * A base port whose every port (PORT_OFFSETS) is free: a multiple of 100 in
 * 20000–31900. Below Linux's ephemeral range (32768 and up by default): a port
 * there can be taken by any outgoing connection between our check and the
 * bind — a worker instance once found its port so taken and exited on CI.
 * Each vitest worker draws from a band of its own, so files started together
 * cannot pick the same base.
 */
export async function freeBasePort(): Promise<number> {
  const band = (Number(process.env.VITEST_POOL_ID ?? "1") - 1) % BASE_PORT_BANDS;
  const slots = Math.floor(BASE_PORT_SLOTS / BASE_PORT_BANDS);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 100 * (band * slots + Math.floor(Math.random() * slots));
    const free = await Promise.all(Object.values(PORT_OFFSETS).map((offset) => portIsFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
  throw new Error("no free base port in 20000–31900");
}

/** Bases 20000, 20100, … 31900. */
const BASE_PORT_SLOTS = 120;
/** Vitest workers that may start clusters at once, each in its own band of bases. */
const BASE_PORT_BANDS = 4;

/** A cluster in a temp dir (removed on stop) with FAULT_ENV; call `cluster.stop()` in afterAll. */
export async function startFaultCluster(options: ClusterOptions = {}): Promise<Cluster> {
  return startCluster({
    basePort: await freeBasePort(),
    ...options,
    env: { ...FAULT_ENV, ...options.env },
  });
}

/** Signs in on an API instance (each call is a new session). */
export function signIn(cluster: Cluster, loginId = "Manager@admin", via = cluster.api[0]): Promise<string> {
  return loginAs(via.graphqlUrl, loginId);
}

// --- the database, read directly (works while every API instance is down) ---

/** One query on a connection of its own, so nothing of the test holds PostgreSQL open across a stop. */
export async function sql<T extends pg.QueryResultRow = any>(
  cluster: Cluster,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: cluster.postgres.databaseUrl });
  client.on("error", () => {}); // a server that goes away mid-query rejects the query below
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface LogEvent {
  seq: number;
  itemId: string | null;
  itemStatus: string | null;
  status: string;
}

/** The receipt's event log (ReceiptEvent), in seq order. */
export function readEventLog(cluster: Cluster, receiptId: string): Promise<LogEvent[]> {
  return sql<LogEvent>(
    cluster,
    `SELECT seq, "itemId"::text AS "itemId", "itemStatus"::text AS "itemStatus", status::text AS status
       FROM "ReceiptEvent" WHERE "receiptId" = $1 ORDER BY seq`,
    [rawReceiptId(receiptId)],
  );
}

/** The receipt's status, or null while PostgreSQL cannot be read. */
export async function receiptStatus(cluster: Cluster, receiptId: string): Promise<string | null> {
  try {
    const [row] = await sql<{ status: string }>(cluster, `SELECT status::text FROM "Receipt" WHERE id = $1`, [
      rawReceiptId(receiptId),
    ]);
    return row?.status ?? null;
  } catch {
    return null;
  }
}

/** A global ID's raw UUID (Pothos's Relay ids are base64 of `Type:uuid`); a raw UUID is returned as is. */
export function rawId(id: string): string {
  if (/^[0-9a-f-]{36}$/i.test(id)) return id;
  const decoded = Buffer.from(id, "base64").toString("utf8");
  return decoded.slice(decoded.indexOf(":") + 1);
}
const rawReceiptId = rawId;

// --- batches ---

export interface Batch {
  /** The receipt's global ID (as the API returns it). */
  id: string;
  number: string;
  lineIds: string[];
}

/** Submits a permission change for the first `lines` selectable lines (default 200) through an API instance. */
export async function submitBatch(
  cluster: Cluster,
  token: string,
  {
    lines = 200,
    via = cluster.api[0],
    targets = { backup: true, phonebookMigration: true },
  }: { lines?: number; via?: GatewayPart; targets?: { backup: boolean; phonebookMigration: boolean } } = {},
): Promise<Batch> {
  const lineIds = await activeLineIds(via.graphqlUrl, token, lines);
  const receipt = await submitPermissionChange(via.graphqlUrl, token, lineIds, targets);
  return { ...receipt, lineIds };
}

/**
 * Sends the app-download mail (アプリダウンロード依頼メール) to the first `lines` selectable
 * lines; lines that need none are `skipped`. Returns null for `receipt` when every line was skipped.
 */
export async function submitMailBatch(
  cluster: Cluster,
  token: string,
  { lines = 200, via = cluster.api[0] }: { lines?: number; via?: GatewayPart } = {},
): Promise<{ receipt: Batch | null; skipped: number }> {
  const lineIds = await activeLineIds(via.graphqlUrl, token, lines);
  const result = await graphql<{
    sendAppDownloadMail: {
      receipt: { id: string; number: string } | null;
      skipped: unknown[];
      userErrors: unknown[];
    };
  }>(
    via.graphqlUrl,
    "mutation ($input: SendMailInput!) { sendAppDownloadMail(input: $input) { receipt { id number } skipped { code } userErrors { code message } } }",
    { input: { lineIds } },
    token,
  );
  const payload = result.data?.sendAppDownloadMail;
  if (!payload || payload.userErrors.length > 0) throw new Error(`mail refused: ${JSON.stringify(result)}`);
  return {
    receipt: payload.receipt ? { ...payload.receipt, lineIds } : null,
    skipped: payload.skipped.length,
  };
}

/**
 * Waits until the receipt has left PROCESSING, reading PostgreSQL directly (so
 * it keeps waiting through an outage of the API instances or of PostgreSQL itself).
 */
export async function waitForFinal(cluster: Cluster, batch: Pick<Batch, "id">, timeoutMs = 240_000) {
  const status = await waitUntil(
    () => receiptStatus(cluster, batch.id),
    (s) => s !== null && s !== "PROCESSING",
    { timeoutMs, intervalMs: 250, what: `receipt ${batch.id} to finish` },
  );
  return status as string;
}

/** Submits a batch and waits for its final state. */
export async function runBatch(
  cluster: Cluster,
  token: string,
  options: Parameters<typeof submitBatch>[2] = {},
) {
  const batch = await submitBatch(cluster, token, options);
  return { batch, status: await waitForFinal(cluster, batch) };
}

export interface BatchFigures {
  items: number;
  succeeded: number;
  failed: number;
  /** Items that should exist and are missing, or never reached SUCCEEDED/FAILED. */
  lost: number;
  /** Items whose log holds more than one final event (SUCCEEDED or FAILED). */
  appliedTwice: number;
  /** FAILED items with a code other than the carrier's permanent answers. */
  failedBecauseOfOutage: number;
  /** Seqs missing from 1..lastSeq in the event log. */
  eventLogGaps: number;
  /** Final receipt events in the log (1 when the receipt finished). */
  finalEvents: number;
}

/** The figures of one batch, from PostgreSQL, once it has finished (or timed out). */
export async function batchFigures(cluster: Cluster, batch: Batch): Promise<BatchFigures> {
  const id = rawReceiptId(batch.id);
  const items = await sql<{ id: string; status: string; errorCode: string | null }>(
    cluster,
    `SELECT id::text, status::text, "errorCode" FROM "ReceiptItem" WHERE "receiptId" = $1`,
    [id],
  );
  const [receipt] = await sql<{ lastSeq: number }>(cluster, `SELECT "lastSeq" FROM "Receipt" WHERE id = $1`, [
    id,
  ]);
  const log = await readEventLog(cluster, batch.id);
  const finalsPerItem = new Map<string, number>();
  for (const event of log) {
    if (event.itemId && (event.itemStatus === "SUCCEEDED" || event.itemStatus === "FAILED"))
      finalsPerItem.set(event.itemId, (finalsPerItem.get(event.itemId) ?? 0) + 1);
  }
  const seqs = new Set(log.map((e) => e.seq));
  let gaps = 0;
  for (let seq = 1; seq <= (receipt?.lastSeq ?? 0); seq++) if (!seqs.has(seq)) gaps++;
  const final = items.filter((i) => i.status === "SUCCEEDED" || i.status === "FAILED");
  return {
    items: items.length,
    succeeded: items.filter((i) => i.status === "SUCCEEDED").length,
    failed: items.filter((i) => i.status === "FAILED").length,
    lost: batch.lineIds.length - final.length,
    appliedTwice: [...finalsPerItem.values()].filter((n) => n > 1).length,
    failedBecauseOfOutage: items.filter(
      (i) => i.status === "FAILED" && !PERMANENT_FAILURES.has(i.errorCode ?? ""),
    ).length,
    eventLogGaps: gaps,
    finalEvents: log.filter((e) => e.itemId === null && e.status !== "PROCESSING").length,
  };
}

// --- watchers ---

export const PROGRESS = /* GraphQL */ `
  subscription ($id: ID!, $afterSeq: Int) {
    receiptProgress(receiptId: $id, afterSeq: $afterSeq) {
      seq snapshot status itemStatus item { id }
    }
  }`;

export interface WatchedEvent {
  seq: number;
  itemId: string | null;
  itemStatus: string | null;
  status: string;
}

export interface Watcher {
  readonly index: number;
  /** Every event but the snapshots, in the order received. */
  readonly events: WatchedEvent[];
  /** Snapshots received (one per subscription, so one per connection). */
  readonly snapshots: number;
  /** Successful connections, with when they were made and to which URL. */
  readonly connections: { at: number; url: string }[];
  /** Close codes of the sockets that closed under it. */
  readonly closes: number[];
  readonly connected: boolean;
  /** The URL of the current (or last) connection. */
  readonly url: string;
  readonly completed: boolean;
  readonly errors: unknown[];
  /** Resolves when the stream completed (after the final event); rejects on an error. */
  readonly done: Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A receiptProgress watcher that resumes as the web client does
 * (web/src/client.ts): graphql-ws retries a closed socket with the same
 * connectionParams and sends the same payload again, whose afterSeq is kept at
 * the last event received. Snapshots do not move afterSeq (a snapshot's seq is
 * the receipt's latest, ahead of the replay that follows it). Each new
 * connection goes to the next URL of `urls`, as a load balancer sends a
 * reconnect to another instance.
 */
export function watchReceipt(
  urls: string[],
  token: string,
  receiptId: string,
  { index = 0, start = 0 }: { index?: number; start?: number } = {},
): Watcher {
  let attempts = 0;
  let url = urls[start % urls.length] as string;
  const state = {
    events: [] as WatchedEvent[],
    snapshots: 0,
    connections: [] as { at: number; url: string }[],
    closes: [] as number[],
    connected: false,
    completed: false,
    errors: [] as unknown[],
  };
  const client: Client = createClient({
    url: () => {
      url = urls[(start + attempts++) % urls.length] as string;
      return url;
    },
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    // Short and jittered: a test does not wait graphql-ws's default seconds.
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 300)),
    on: {
      connected: () => {
        state.connected = true;
        state.connections.push({ at: Date.now(), url });
      },
      closed: (event) => {
        if (state.connected) state.closes.push((event as { code?: number }).code ?? 0);
        state.connected = false;
      },
    },
  });
  const payload = { query: PROGRESS, variables: { id: receiptId, afterSeq: 0 } };
  const done = new Promise<void>((resolve, reject) => {
    client.subscribe<{
      receiptProgress: {
        seq: number;
        snapshot: boolean;
        status: string;
        itemStatus: string | null;
        item: { id: string } | null;
      };
    }>(payload, {
      next: (value) => {
        if (value.errors) {
          state.errors.push(value.errors);
          return;
        }
        const event = value.data?.receiptProgress;
        if (!event) return;
        if (event.snapshot) {
          state.snapshots++;
          return;
        }
        state.events.push({
          seq: event.seq,
          itemId: event.item ? rawId(event.item.id) : null,
          itemStatus: event.itemStatus,
          status: event.status,
        });
        payload.variables.afterSeq = event.seq;
      },
      error: (error) => {
        state.errors.push(error);
        reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
      },
      complete: () => {
        state.completed = true;
        resolve();
      },
    });
  });
  done.catch(() => {}); // read through `done` or `errors`
  return {
    index,
    get events() {
      return state.events;
    },
    get snapshots() {
      return state.snapshots;
    },
    get connections() {
      return state.connections;
    },
    get closes() {
      return state.closes;
    },
    get connected() {
      return state.connected;
    },
    get url() {
      return url;
    },
    get completed() {
      return state.completed;
    },
    get errors() {
      return state.errors;
    },
    done,
    dispose: () => client.dispose() as Promise<void>,
  };
}

export interface LogComparison {
  equal: boolean;
  /** Seqs of the log the watcher never received. */
  missing: number[];
  /** Seqs received more than once. */
  duplicated: number[];
  /** Seqs received that the log does not hold, or whose item or statuses differ from it. */
  different: number[];
  /** Whether the events came in seq order. */
  inOrder: boolean;
}

/** A watcher's events against the receipt's event log: equal means the same events, each once, in order. */
export function compareWithLog(events: WatchedEvent[], log: LogEvent[]): LogComparison {
  const bySeq = new Map(log.map((e) => [e.seq, e]));
  const seen = new Map<number, number>();
  const different: number[] = [];
  for (const event of events) {
    seen.set(event.seq, (seen.get(event.seq) ?? 0) + 1);
    const logged = bySeq.get(event.seq);
    if (
      !logged ||
      logged.itemId !== event.itemId ||
      logged.itemStatus !== event.itemStatus ||
      logged.status !== event.status
    )
      different.push(event.seq);
  }
  const missing = log.map((e) => e.seq).filter((seq) => !seen.has(seq));
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([seq]) => seq);
  const inOrder = events.every((e, i) => i === 0 || (events[i - 1] as WatchedEvent).seq < e.seq);
  return {
    equal: missing.length === 0 && duplicated.length === 0 && different.length === 0 && inOrder,
    missing,
    duplicated,
    different,
    inOrder,
  };
}

// --- readiness and figures ---

/** GET /ready (or /health where /ready does not exist): status and JSON body; null when nothing answers. */
export async function readiness(part: GatewayPart): Promise<{ status: number; body: unknown } | null> {
  try {
    let response = await fetch(part.readyUrl, { signal: AbortSignal.timeout(3000) });
    if (response.status === 404)
      response = await fetch(part.healthUrl, { signal: AbortSignal.timeout(3000) });
    return { status: response.status, body: await response.json().catch(() => null) };
  } catch {
    return null;
  }
}

/** Waits until the instance says it is ready (200). */
export async function waitForReady(part: GatewayPart, timeoutMs = 120_000): Promise<void> {
  await waitUntil(
    () => readiness(part),
    (r) => r?.status === 200,
    { timeoutMs, intervalMs: 100, what: `${part.name} to be ready` },
  );
}

/** Seconds since `start` (Date.now()), to one decimal. */
export const secondsSince = (start: number) => Math.round((Date.now() - start) / 100) / 10;

/**
 * Prints a test's figures (the CI log shows them) and writes them to
 * tmp/faults/<name>.json.
 */
export function reportFigures(name: string, figures: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(figures).map((key) => key.length));
  const lines = Object.entries(figures).map(
    ([key, value]) => `  ${key.padEnd(width)}  ${typeof value === "object" ? JSON.stringify(value) : value}`,
  );
  console.log(`[fault figures] ${name}\n${lines.join("\n")}`);
  const dir = path.resolve(import.meta.dirname, "../../tmp/faults");
  mkdirSync(dir, { recursive: true });
  const file = name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
  writeFileSync(path.join(dir, `${file}.json`), `${JSON.stringify({ name, ...figures }, null, 2)}\n`);
}
