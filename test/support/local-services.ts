// Throwaway PostgreSQL and Redis servers on loopback for fault tests, through
// scripts/postgres-local.sh and scripts/redis-local.sh (Debian's packages),
// each on a port the system reports free, with data in a temporary directory
// (test/faults/harness.ts starts the whole cluster layout instead).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { waitUntil } from "./wait.ts";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function script(name: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(path.join(root, "scripts", name), args, { cwd: root });
  return stdout.trim();
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Resolves once nothing listens on `port` any more: a daemon killed here may
 * linger as a zombie (its pid answers) until init reaps it.
 */
async function gone(port: number) {
  await waitUntil(
    () => listening(port),
    (open) => !open,
    { what: `nothing listening on ${port}`, intervalMs: 20 },
  );
}

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<LocalRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), "anshin-fault-redis-"));
  const port = await freePort();
  const url = await script("redis-local.sh", "start", String(port), dir);
  return {
    url,
    async stop() {
      await script("redis-local.sh", "stop", dir).catch(() => {});
      await gone(port);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

export interface LocalPostgres {
  /** Server URL (the postgres database); `createDatabase` makes one per test. */
  url: string;
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** TEST_DATABASE_URL's server when it is set, otherwise a new one. */
export async function startPostgres(): Promise<LocalPostgres> {
  const given = process.env.TEST_DATABASE_URL;
  const dir = given ? null : mkdtempSync(path.join(tmpdir(), "anshin-fault-pg-"));
  const url = given ?? (await script("postgres-local.sh", "start", String(await freePort()), dir!));
  const created: string[] = [];
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    url,
    async createDatabase() {
      const name = `fault_${Math.random().toString(36).slice(2, 10)}`;
      await admin(`CREATE DATABASE ${name}`);
      created.push(name);
      const database = new URL(url);
      database.pathname = `/${name}`;
      return database.toString();
    },
    async stop() {
      if (dir) {
        await script("postgres-local.sh", "stop", dir).catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      } else {
        for (const name of created)
          await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      }
    },
  };
}
