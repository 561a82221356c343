// The load generator, in its own process (the machine's 2 cores are shared
// with the server): HTTP requests over keep-alive connections, graphql-ws
// watchers and raw WebSocket clients. It records what it sees with its own
// clocks (performance.now() for durations, Date.now() for receive times that
// are compared with the server's publish times) and hands the samples back.
import http from "node:http";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { serve } from "./ipc.ts";
import { loopDelayHandlers, mapLimit, memoryAfterGc, sleep, summarize } from "./stats.ts";

let authorization = "";
interface Probe {
  running: boolean;
  durations: number[];
  done: Promise<void>;
}
const probes = new Map<string, Probe>();

interface HttpResult {
  status: number;
  text: string;
}

/** Several gateway instances: the i-th request or connection goes to the i-th address, round-robin. */
type Urls = string | string[];
const nth = (urls: Urls, i: number): string =>
  typeof urls === "string" ? urls : (urls[i % urls.length] as string);

/**
 * A POST of `body` (JSON), or a GET when `body` is null. A request sent on a
 * kept-alive socket that the server closed meanwhile (its keep-alive timeout
 * ran out while, say, it seeded a curve account) fails with ECONNRESET before
 * any answer: it is sent once more on a new socket, as Node's http docs advise
 * (`request.reusedSocket`).
 */
function post(
  agent: http.Agent,
  url: string,
  body: string | null,
  auth: boolean,
  timeoutMs = 60_000,
  retried = false,
): Promise<HttpResult> {
  const target = new URL(url);
  return new Promise<HttpResult>((resolve, reject) => {
    const request = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: body === null ? "GET" : "POST",
        agent,
        headers: {
          ...(body === null
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(body) }),
          ...(auth && authorization ? { authorization } : {}),
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (!retried && request.reusedSocket && error.code === "ECONNRESET")
        resolve(post(agent, url, body, auth, timeoutMs, true));
      else reject(error);
    });
    request.end(body ?? undefined);
  });
}

const sequentialAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });

async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}) {
  const result = await post(sequentialAgent, url, JSON.stringify({ query, variables }), true);
  const parsed = JSON.parse(result.text) as { data?: T; errors?: { message: string }[] };
  if (parsed.errors?.length)
    throw new Error(`GraphQL errors: ${JSON.stringify(parsed.errors).slice(0, 300)}`);
  if (!parsed.data) throw new Error(`HTTP ${result.status}: ${result.text.slice(0, 300)}`);
  return parsed.data;
}

// --- graphql-ws watchers -------------------------------------------------------

interface Watcher {
  client: Client;
  subscribed: boolean;
  /** Frames received (one event each for receiptProgress, a list for receiptProgressBatch). */
  frames: number;
  seqs: number[];
  times: number[];
  payloads: string[] | null;
  snapshot: boolean;
  completed: boolean;
  error: string | null;
  unsubscribe?: () => void;
}

const watcherGroups = new Map<string, Watcher[]>();

const PROGRESS = /* GraphQL */ `
  subscription Progress($id: ID!, $after: Int) {
    receiptProgress(receiptId: $id, afterSeq: $after) {
      seq snapshot status
      item { id status }
      receipt { id status progress { total succeeded failed pending processing } }
    }
  }`;

function openWatcher(wsUrl: string): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      void client.dispose();
      reject(new Error("WebSocket connection not acknowledged within 30 s"));
    }, 30_000);
    const watcher = {} as Watcher;
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization },
      onNonLazyError: (error) => {
        watcher.error ??= describe(error);
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(new Error(`WebSocket failed: ${describe(error)}`));
        }
      },
      on: {
        connected: () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(watcher);
        },
      },
    });
    Object.assign(watcher, {
      client,
      subscribed: false,
      frames: 0,
      seqs: [],
      times: [],
      payloads: null,
      snapshot: false,
      completed: false,
      error: null,
    } satisfies Watcher);
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === "object" && "code" in error)
    return `close ${(error as { code: number }).code} ${(error as { reason?: string }).reason ?? ""}`;
  return JSON.stringify(error)?.slice(0, 200) ?? String(error);
}

/**
 * The batched form (receiptProgressBatch): each frame carries the events of
 * one tick, in seq order; the first one starts with the snapshot event, the
 * stream completes after the frame holding the final event.
 */
const PROGRESS_BATCH = /* GraphQL */ `
  subscription ProgressBatch($id: ID!, $after: Int) {
    receiptProgressBatch(receiptId: $id, afterSeq: $after) {
      lastSeq
      events { seq snapshot status item { id status } }
      receipt { id status progress { total succeeded failed pending processing } }
    }
  }`;

export type Form = "event" | "batch";

interface ProgressEvent {
  seq: number;
  snapshot: boolean;
}
interface ProgressData {
  receiptProgress?: ProgressEvent;
  receiptProgressBatch?: { events: ProgressEvent[] };
}

function subscribe(watcher: Watcher, receiptId: string, afterSeq: number | null, form: Form = "event") {
  watcher.subscribed = true;
  watcher.unsubscribe = watcher.client.subscribe<ProgressData>(
    { query: form === "batch" ? PROGRESS_BATCH : PROGRESS, variables: { id: receiptId, after: afterSeq } },
    {
      next: (value) => {
        const at = Date.now();
        const events =
          form === "batch"
            ? value.data?.receiptProgressBatch?.events
            : value.data?.receiptProgress && [value.data.receiptProgress];
        if (!events) {
          watcher.error ??= JSON.stringify(value.errors ?? value).slice(0, 200);
          return;
        }
        watcher.frames++;
        // Every event of a frame arrived when the frame did.
        for (const event of events) {
          if (event.snapshot) watcher.snapshot = true;
          watcher.seqs.push(event.seq);
          watcher.times.push(at);
        }
        const event = events[0];
        if (!event) return;
        // The exact frame the server sent, for the raw WebSocket baseline.
        if (watcher.payloads && !event.snapshot)
          watcher.payloads.push(JSON.stringify({ id: "1", type: "next", payload: value }));
      },
      error: (error) => {
        watcher.error ??= describe(error);
        watcher.completed = true;
      },
      complete: () => {
        watcher.completed = true;
      },
    },
  );
}

// --- raw WebSocket clients -----------------------------------------------------

interface RawClient {
  socket: WebSocket;
  times: number[];
}
let rawClients: RawClient[] = [];

function openRaw(url: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const client: RawClient = { socket, times: [] };
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error("raw WebSocket did not open within 30 s"));
    }, 30_000);
    // Parsed as any client must (the graphql-ws watchers parse theirs too), so
    // the receiving side costs about the same in both measurements.
    socket.on("message", (data) => {
      JSON.parse(String(data));
      client.times.push(Date.now());
    });
    socket.once("open", () => {
      clearTimeout(timer);
      resolve(client);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function waitUntil(what: string, done: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

serve({
  async login({ url, loginId, password }: { url: string; loginId: string; password: string }) {
    const data = await graphql<{ login: { token: string | null; userErrors: { code: string }[] } }>(
      url,
      "mutation ($l: String!, $p: String!) { login(loginId: $l, password: $p) { token userErrors { code } } }",
      { l: loginId, p: password },
    );
    if (!data.login.token) throw new Error(`login failed: ${JSON.stringify(data.login.userErrors)}`);
    authorization = `Bearer ${data.login.token}`;
    return authorization;
  },

  /** One GraphQL request; its parsed response. */
  async request({ url, body }: { url: string; body: string }) {
    const result = await post(sequentialAgent, url, body, true);
    return JSON.parse(result.text) as unknown;
  },

  /**
   * n sequential requests on one keep-alive connection per address (round-robin
   * over several); their durations (ms). A null body sends GETs.
   */
  async pages({ url, body, n }: { url: Urls; body: string | null; n: number }) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      const result = await post(sequentialAgent, nth(url, i), body, true);
      out[i] = performance.now() - start;
      if (result.status !== 200 || result.text.includes('"errors"'))
        throw new Error(`page request failed: HTTP ${result.status} ${result.text.slice(0, 300)}`);
    }
    return out;
  },

  /**
   * One CSV export (GET, this process's session): read to the end, at most
   * `bytesPerSecond` when given (a slow client), and, with `pageBody`, while
   * another connection sends it to `graphqlUrl` one request after another
   * until the file is complete. The file's size, lines and timing, and the
   * pages' durations.
   */
  async exportCsv({
    url,
    graphqlUrl,
    pageBody,
    bytesPerSecond,
  }: {
    url: string;
    graphqlUrl: string;
    pageBody?: string;
    bytesPerSecond?: number;
  }) {
    const pageAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const durations: number[] = [];
    let exporting = pageBody !== undefined;
    let pageError: string | null = null;
    const pages = (async () => {
      while (exporting && pageBody !== undefined) {
        const start = performance.now();
        const result = await post(pageAgent, graphqlUrl, pageBody, true, 180_000);
        durations.push(performance.now() - start);
        if (result.status !== 200 || result.text.includes('"errors"'))
          pageError ??= `HTTP ${result.status} ${result.text.slice(0, 200)}`;
      }
    })();
    const started = performance.now();
    const file = await new Promise<{ status: number; bytes: number; lines: number; firstByteMs: number }>(
      (resolve, reject) => {
        const request = http.get(url, { headers: { authorization }, timeout: 600_000 }, (response) => {
          let bytes = 0;
          let lines = 0;
          let firstByteMs = 0;
          response.on("data", (chunk: Buffer) => {
            if (bytes === 0) firstByteMs = performance.now() - started;
            bytes += chunk.length;
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
            if (bytesPerSecond) {
              response.pause();
              setTimeout(() => response.resume(), (chunk.length / bytesPerSecond) * 1000);
            }
          });
          response.on("end", () => resolve({ status: response.statusCode ?? 0, bytes, lines, firstByteMs }));
          response.on("error", reject);
        });
        request.on("timeout", () => request.destroy(new Error("export timed out")));
        request.on("error", reject);
      },
    );
    const ms = performance.now() - started;
    exporting = false;
    await pages;
    pageAgent.destroy();
    if (pageError) throw new Error(`a page during the export failed: ${pageError}`);
    return { ...file, ms, pages: summarize(durations) };
  },

  /** Closed-loop load: `concurrency` connections each sending the next request as soon as one returns. */
  async throughput(options: {
    url: Urls;
    body: string;
    auth: boolean;
    concurrency: number;
    warmupMs: number;
    durationMs: number;
  }) {
    // Per address: round-robin sends each address its share of the connections.
    const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
    const begin = Date.now();
    const measureFrom = performance.now() + options.warmupMs;
    const measureTo = measureFrom + options.durationMs;
    const latencies: number[] = [];
    let completed = 0;
    let errors = 0;
    let firstError: string | null = null;
    const loop = async (_: unknown, connection: number) => {
      const url = nth(options.url, connection);
      while (performance.now() < measureTo) {
        const start = performance.now();
        try {
          const result = await post(agent, url, options.body, options.auth);
          const end = performance.now();
          if (result.status !== 200 || result.text.includes('"errors"')) {
            errors++;
            firstError ??= `HTTP ${result.status} ${result.text.slice(0, 200)}`;
          } else if (start >= measureFrom && end <= measureTo) {
            completed++;
            latencies.push(end - start);
          }
        } catch (error) {
          errors++;
          firstError ??= describe(error);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, loop));
    agent.destroy();
    return {
      completed,
      errors,
      firstError,
      rps: completed / (options.durationMs / 1000),
      latencyMs: summarize(latencies),
      wallMs: Date.now() - begin,
    };
  },

  async submit({ url, lineIds }: { url: string; lineIds: string[] }) {
    const input = { lines: lineIds.map((lineId) => ({ lineId, backup: true, phonebookMigration: true })) };
    const body = JSON.stringify({
      query:
        "mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { receipt { id number } userErrors { code message } } }",
      variables: { input },
    });
    const startedAt = Date.now();
    const start = performance.now();
    const result = await post(sequentialAgent, url, body, true);
    const ms = performance.now() - start;
    const parsed = JSON.parse(result.text) as {
      data?: {
        submitPermissionChange: {
          receipt: { id: string; number: string } | null;
          userErrors: { code: string; message: string }[];
        };
      };
      errors?: unknown;
    };
    const payload = parsed.data?.submitPermissionChange;
    if (!payload?.receipt)
      throw new Error(
        `submit refused: ${JSON.stringify(payload?.userErrors ?? parsed.errors).slice(0, 300)}`,
      );
    return { ms, startedAt, receiptId: payload.receipt.id, number: payload.receipt.number };
  },

  /** Opens n more graphql-ws connections in group `tag` (at most 50 handshakes at once), round-robin over `wsUrl`. */
  async wsOpen({ wsUrl, n, tag }: { wsUrl: Urls; n: number; tag: string }) {
    const group = watcherGroups.get(tag) ?? [];
    watcherGroups.set(tag, group);
    const start = performance.now();
    const offset = group.length;
    const opened = await mapLimit(
      Array.from({ length: n }, (_, i) => i),
      50,
      (i) => openWatcher(nth(wsUrl, offset + i)),
    );
    group.push(...opened);
    return { open: group.length, ms: performance.now() - start };
  },

  /** Subscribes every not yet subscribed watcher of `tag`; resolves when each has its snapshot. */
  async subscribeAll({
    tag,
    receiptId,
    afterSeq = null,
    keepPayloads = false,
    timeoutMs = 120_000,
    form = "event",
  }: {
    tag: string;
    receiptId: string;
    afterSeq?: number | null;
    keepPayloads?: boolean;
    timeoutMs?: number;
    form?: Form;
  }) {
    const group = watcherGroups.get(tag) ?? [];
    const fresh = group.filter((w) => !w.subscribed);
    if (keepPayloads && fresh[0]) fresh[0].payloads = [];
    const start = performance.now();
    for (const watcher of fresh) subscribe(watcher, receiptId, afterSeq, form);
    await waitUntil(`${fresh.length} snapshots`, () => fresh.every((w) => w.snapshot || w.error), timeoutMs);
    const failed = fresh.filter((w) => w.error);
    return {
      subscribed: fresh.length - failed.length,
      failed: failed.length,
      firstError: failed[0]?.error ?? null,
      ms: performance.now() - start,
    };
  },

  /** Waits until every watcher of `tag` completed (or failed); returns what each received. */
  async awaitAll({ tag, timeoutMs }: { tag: string; timeoutMs: number }) {
    const group = watcherGroups.get(tag) ?? [];
    let timedOut = false;
    try {
      await waitUntil(
        `${group.length} watchers to complete`,
        () => group.every((w) => w.completed),
        timeoutMs,
      );
    } catch {
      timedOut = true;
    }
    return {
      timedOut,
      completed: group.filter((w) => w.completed && !w.error).length,
      errors: group.filter((w) => w.error).map((w) => w.error as string),
      frames: Int32Array.from(group, (w) => w.frames),
      seqs: group.map((w) => Int32Array.from(w.seqs)),
      times: group.map((w) => Float64Array.from(w.times)),
      payloads: group.find((w) => w.payloads)?.payloads ?? [],
    };
  },

  async wsClose({ tag }: { tag: string }) {
    const group = watcherGroups.get(tag) ?? [];
    watcherGroups.delete(tag);
    await Promise.allSettled(group.map((w) => w.client.dispose()));
    return group.length;
  },

  async rawOpen({ url, n }: { url: string; n: number }) {
    const start = performance.now();
    const opened = await mapLimit(
      Array.from({ length: n }, (_, i) => i),
      50,
      () => openRaw(url),
    );
    rawClients.push(...opened);
    return { open: rawClients.length, ms: performance.now() - start };
  },

  async rawAwait({ expected, timeoutMs }: { expected: number; timeoutMs: number }) {
    let timedOut = false;
    try {
      await waitUntil(
        `${rawClients.length} raw clients to receive ${expected} messages`,
        () => rawClients.every((c) => c.times.length >= expected),
        timeoutMs,
      );
    } catch {
      timedOut = true;
    }
    return { timedOut, times: rawClients.map((c) => Float64Array.from(c.times)) };
  },

  rawReset() {
    for (const c of rawClients) c.times = [];
  },

  rawClose() {
    const n = rawClients.length;
    for (const c of rawClients) c.socket.terminate();
    rawClients = [];
    return n;
  },

  /**
   * Sends one request after another (200 ms apart) until probeStop, under
   * `name`: a GET, or a POST of `body` (JSON). Measures how responsive the
   * server stays while something else runs.
   */
  probeStart({ name, url, body }: { name: string; url: string; body?: string }) {
    const current: Probe = { running: true, durations: [], done: Promise.resolve() };
    probes.set(name, current);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const once = () =>
      body
        ? post(agent, url, body, false, 180_000).then(() => undefined)
        : new Promise<void>((resolve, reject) => {
            const request = http.get(url, { agent, timeout: 180_000 }, (response) => {
              response.resume();
              response.on("end", () => resolve());
            });
            request.on("error", reject);
            request.on("timeout", () => request.destroy(new Error("probe timed out")));
          });
    current.done = (async () => {
      while (current.running) {
        const start = performance.now();
        await once().catch(() => undefined);
        current.durations.push(performance.now() - start);
        await sleep(200);
      }
      agent.destroy();
    })();
  },
  async probeStop({ name }: { name: string }) {
    const current = probes.get(name);
    if (!current) return summarize([]);
    probes.delete(name);
    current.running = false;
    await current.done;
    return summarize(current.durations);
  },

  ...loopDelayHandlers(),

  memory: () => memoryAfterGc(),

  async stop() {
    for (const tag of [...watcherGroups.keys()]) {
      for (const w of watcherGroups.get(tag) ?? []) void w.client.dispose();
    }
    for (const c of rawClients) c.socket.terminate();
    setTimeout(() => process.exit(0), 50);
  },
});
