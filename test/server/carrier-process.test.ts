// The standalone carrier simulator (npm run carrier) as a real process with a
// database of its own, and the gateway applying a permission change through it
// over CARRIER_URL, as the README's "run the carrier separately" path promises.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { activeLineIds, graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { killAllServerProcesses, type SpawnedServer, spawnServer } from "../support/server-process.ts";

const FAKE_NOW = "2026-11-24T10:00:00+09:00";
const LISTENING = "carrier simulator listening on ";

const dirs: string[] = [];

afterAll(async () => {
  killAllServerProcesses();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "carrier-process-"));
  dirs.push(dir);
  return dir;
}

type CarrierProcess = SpawnedServer;

/** Starts the carrier simulator process (server/carrier/index.ts) with only the settings given (nothing of the gateway's inherited). */
function runCarrier(env: Record<string, string>): CarrierProcess {
  return spawnServer(
    {
      CARRIER_PORT: "0",
      CARRIER_HOST: "127.0.0.1",
      CARRIER_LATENCY_MS: "0",
      CARRIER_FAILURE_RATE: "0",
      FAKE_NOW,
      ...env,
    },
    {
      entry: "server/carrier/index.ts",
      drop: (name) => name.startsWith("CARRIER_") || ["DATABASE_URL", "DATA_DIR", "FAKE_NOW"].includes(name),
    },
  );
}

async function listening(carrier: CarrierProcess): Promise<{ url: string; seeded: boolean | undefined }> {
  const entry = await carrier.waitForLog((e) => e.msg.startsWith(LISTENING));
  const url = entry.msg.slice(LISTENING.length);
  expect(new URL(url).port).toBe(String(entry.port));
  expect(entry.port).toBeGreaterThan(0);
  return { url, seeded: entry.seeded as boolean | undefined };
}

async function rosterOf(carrierUrl: string, customerCode: string) {
  const response = await fetch(`${carrierUrl}/v1/customers/${customerCode}/roster`);
  expect(response.status).toBe(200);
  return (await response.json()) as { phoneNumber: string; backup: boolean; phonebookMigration: boolean }[];
}

describe("the carrier simulator as its own process", () => {
  let dataDir: string;
  let gateway: RunningApp;
  let changedPhones: string[] = [];

  beforeAll(async () => {
    dataDir = await freshDataDir();
  });
  afterAll(() => gateway?.stop());

  it("seeds its own database with the demo roster; the gateway applies a permission change through it", async () => {
    const carrier = runCarrier({ CARRIER_DATA_DIR: dataDir });
    const { url, seeded } = await listening(carrier);
    expect(seeded).toBe(true);
    expect(carrier.entries.map((e) => e.msg)).toContain(
      "wrote the demo roster into the empty carrier database",
    );

    gateway = await startTestApp({ CARRIER_URL: url, FAKE_NOW, CARRIER_LATENCY_MS: "0" });
    const api = gateway.graphqlUrl;
    const token = await loginAs(api, "Manager@admin");
    const lineIds = await activeLineIds(api, token, 20);
    const before = await graphql(
      api,
      "{ lines(first: 20, filter: {contractStatus: ACTIVE, outOfService: false}) { edges { node { id backup } } } }",
      {},
      token,
    );
    // R1: a line never changed has backup off, so every item is a real change.
    expect(before.data.lines.edges.map((e: any) => e.node)).toEqual(
      lineIds.map((id) => ({ id, backup: false })),
    );
    const receipt = await submitPermissionChange(api, token, lineIds, {
      backup: true,
      phonebookMigration: true,
    });

    const query = `query ($n: String!) { receipt(number: $n) {
      status progress { total succeeded failed }
      items(first: 20) { edges { node { error { code } line { phoneNumber backup phonebookMigration } } } }
    } }`;
    const read = async () => (await graphql(api, query, { n: receipt.number }, token)).data?.receipt;
    await expect
      .poll(async () => (await read())?.status, { timeout: 60_000, interval: 100 })
      .not.toBe("PROCESSING");
    const done = await read();
    // Errors first: an UNKNOWN_LINE here means the carrier's roster lacks the gateway's lines.
    expect(done.items.edges.map((e: any) => e.node.error)).toEqual(Array(20).fill(null));
    expect(done.status).toBe("SUCCEEDED");
    expect(done.progress).toEqual({ total: 20, succeeded: 20, failed: 0 });
    const lines = done.items.edges.map((e: any) => e.node.line);
    expect(lines.every((l: any) => l.backup && l.phonebookMigration)).toBe(true);

    // The carrier process's own roster holds the new values too.
    changedPhones = lines.map((l: any) => l.phoneNumber);
    const roster = await rosterOf(url, "DEMO-0001");
    const changed = roster.filter((l) => changedPhones.includes(l.phoneNumber));
    expect(changed).toHaveLength(20);
    expect(changed.every((l) => l.backup && l.phonebookMigration)).toBe(true);

    carrier.child.kill("SIGTERM");
    expect(await carrier.exited).toBe(0);
    expect(carrier.entries.at(-1)?.msg).toBe("stopped");
  }, 120_000); // two start-ups and the poll's own 60 s deadline on a loaded machine

  it("a second start on the same data directory keeps the roster and does not seed again", async () => {
    const carrier = runCarrier({ CARRIER_DATA_DIR: dataDir });
    const { url, seeded } = await listening(carrier);
    expect(seeded).toBe(false);
    expect(carrier.entries.map((e) => e.msg)).toContain("carrier roster present; not seeded");
    const roster = await rosterOf(url, "DEMO-0001");
    expect(roster).toHaveLength(1004);
    expect(roster.filter((l) => changedPhones.includes(l.phoneNumber) && l.backup)).toHaveLength(20);

    carrier.child.kill("SIGTERM");
    expect(await carrier.exited).toBe(0);
  });

  it("a stop during start-up waits for the start, then closes everything and exits 0", async () => {
    const carrier = runCarrier({ CARRIER_DATA_DIR: await freshDataDir() });
    // Migrations are logged before the roster is written and the port opened.
    await carrier.waitForLog((e) => e.msg === "applied migrations");
    carrier.child.kill("SIGINT");
    expect(await carrier.exited).toBe(0);
    const messages = carrier.entries.map((e) => e.msg);
    // The start ran to its end (roster written, port opened), then everything was closed.
    expect(messages).toContain("wrote the demo roster into the empty carrier database");
    expect(messages.some((m) => m.startsWith(LISTENING))).toBe(true);
    expect(messages.indexOf("shutting down")).toBeGreaterThan(-1);
    expect(messages.at(-1)).toBe("stopped");
  });

  it("stops at start with a message naming an invalid variable", async () => {
    const carrier = runCarrier({ CARRIER_DATA_DIR: await freshDataDir(), CARRIER_FAILURE_RATE: "2" });
    expect(await carrier.exited).toBe(1);
    expect(carrier.stderr()).toMatch(/CARRIER_FAILURE_RATE/);
    expect(carrier.entries).toEqual([]);
  });
});
