// The product as a user runs it: a real process on the embedded default
// (file-backed PGlite), started, stopped with SIGTERM and started again.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../lib/db.ts";
import { killAllServerProcesses, spawnServer, startServerProcess } from "../support/server-process.ts";

const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-data-"));
const interruptedDir = mkdtempSync(path.join(tmpdir(), "anshin-data-"));
afterAll(() => {
  killAllServerProcesses();
  for (const dir of [dataDir, interruptedDir]) rmSync(dir, { recursive: true, force: true });
});

const startServer = () => startServerProcess({ DATA_DIR: dataDir });

async function countRows(dir = dataDir) {
  const db = await openDatabase({ dataDir: dir });
  try {
    return { accounts: await db.prisma.account.count(), lines: await db.prisma.line.count() };
  } finally {
    await db.close();
  }
}

describe("the server process on the embedded default", () => {
  it("first start migrates, seeds and serves; SIGTERM exits cleanly", async () => {
    const server = await startServer();
    expect(server.messages).toContain("applied migrations");
    expect(server.messages).toContain("wrote demo data into the empty database");
    const response = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(await response.json()).toEqual({
      data: { __typename: "Query" },
      // Every answer reports the caller's query-cost budget (test/api/rate-limit.test.ts).
      extensions: { rateLimit: expect.objectContaining({ cost: 1 }) },
    });
    expect(await server.stop()).toBe(0);
    expect(server.messages).toContain("shutting down");
    expect(server.messages.at(-1)).toBe("stopped");
    expect(await countRows()).toEqual({ accounts: 2, lines: 1050 });
  });

  it("a restart keeps the data and does not seed twice", async () => {
    const server = await startServer();
    expect(server.messages).not.toContain("applied migrations");
    expect(server.messages).not.toContain("wrote demo data into the empty database");
    expect(await server.stop()).toBe(0);
    expect(await countRows()).toEqual({ accounts: 2, lines: 1050 });
  });

  it("after ./data is deleted, a start rebuilds everything", async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const server = await startServer();
    expect(server.messages).toContain("wrote demo data into the empty database");
    expect(await server.stop()).toBe(0);
    expect(await countRows()).toEqual({ accounts: 2, lines: 1050 });
  });

  it("a stop that arrives during start-up waits for it, then shuts down cleanly with 0", async () => {
    const server = spawnServer({ DATA_DIR: interruptedDir });
    // Handlers are in place from the first line; migrations and seeding are still to come.
    await server.waitForLog((entry) => entry.msg === "starting");
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.messages).toContain("wrote demo data into the empty database");
    expect(server.messages).toContain("shutting down");
    expect(server.messages.at(-1)).toBe("stopped");
    expect(server.messages.some((msg) => msg.startsWith("listening on"))).toBe(false);
    // Start-up was finished, not cut: the next start finds everything in place.
    expect(await countRows(interruptedDir)).toEqual({ accounts: 2, lines: 1050 });
  });
});
