// The product as a user runs it: a real process on the embedded default
// (file-backed PGlite), started, stopped with SIGTERM and started again.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../server/db.ts";

const root = path.resolve(import.meta.dirname, "../..");
const dataDir = mkdtempSync(path.join(tmpdir(), "anshin-data-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  port: number;
  messages: string[];
}

/** Starts server/index.ts on a free port and waits for its "listening" log line. */
function startServer(): Promise<Started> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const messages: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${messages.join(" | ")}`)), 60_000);
    child.once("exit", (code) => reject(new Error(`server exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const entry = JSON.parse(line) as { msg: string; port?: number };
      messages.push(entry.msg);
      if (entry.msg.startsWith("listening on") && entry.port) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve({ child, port: entry.port, messages });
      }
    });
  });
}

function stopServer({ child }: Started): Promise<number | null> {
  return new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

async function countRows() {
  const db = await openDatabase({ dataDir });
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
    const response = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(await response.json()).toEqual({ data: { __typename: "Query" } });
    expect(await stopServer(server)).toBe(0);
    expect(server.messages.slice(-2)).toEqual(["shutting down", "stopped"]);
    expect(await countRows()).toEqual({ accounts: 2, lines: 1050 });
  });

  it("a restart keeps the data and does not seed twice", async () => {
    const server = await startServer();
    expect(server.messages).not.toContain("applied migrations");
    expect(server.messages).not.toContain("wrote demo data into the empty database");
    expect(await stopServer(server)).toBe(0);
    expect(await countRows()).toEqual({ accounts: 2, lines: 1050 });
  });

  it("after ./data is deleted, a start rebuilds everything", async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const server = await startServer();
    expect(server.messages).toContain("wrote demo data into the empty database");
    expect(await stopServer(server)).toBe(0);
    expect(await countRows()).toEqual({ accounts: 2, lines: 1050 });
  });
});
