// The real server as a separate process (server/index.ts), as a user runs it.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { WebSocket } from "ws";

const root = path.resolve(import.meta.dirname, "../..");
const running = new Set<ChildProcess>();

export interface LogEntry {
  msg: string;
  port?: number;
  [field: string]: unknown;
}

export interface SpawnedServer {
  child: ChildProcess;
  /** Every log line so far, and their `msg`s. */
  entries: LogEntry[];
  messages: string[];
  /** What the process wrote to stderr so far (also passed on to the test's stderr). */
  stderr(): string;
  /** Resolves with the first log line (past or future) that matches; rejects if the process exits first. */
  waitForLog(match: (entry: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
  /** Resolves with the exit code (null when a signal ended the process). */
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  /** The script to run (default server/index.ts). */
  entry?: string;
  /** Variables of the test's own environment not to pass on. */
  drop?: (name: string) => boolean;
  /** Open the V8 inspector on a loopback port (for `collectGarbage`). */
  inspect?: boolean;
}

/** Spawns server/index.ts (or another entry) and reads its JSON log lines. */
export function spawnServer(
  env: Record<string, string>,
  { entry = "server/index.ts", drop = () => false, inspect = false }: SpawnOptions = {},
): SpawnedServer {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !drop(name)));
  const flags = inspect ? ["--inspect=127.0.0.1:0"] : [];
  const child = spawn(process.execPath, [...flags, "--import", "tsx", entry], {
    cwd: root,
    env: { ...inherited, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", METRICS_PORT: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    process.stderr.write(chunk);
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const entries: LogEntry[] = [];
  const messages: string[] = [];
  const waiters = new Set<(entry: LogEntry) => void>();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    let entry: LogEntry;
    try {
      entry = JSON.parse(line) as LogEntry;
    } catch {
      entry = { msg: line }; // a library writing plain text to stdout
    }
    entries.push(entry);
    messages.push(entry.msg);
    for (const waiter of waiters) waiter(entry);
  });
  return {
    child,
    entries,
    messages,
    stderr: () => stderr,
    exited,
    waitForLog(match, timeoutMs = 90_000) {
      const seen = entries.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        const waiter = (entry: LogEntry) => {
          if (!match(entry)) return;
          done();
          resolve(entry);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching log line within ${timeoutMs} ms: ${messages.join(" | ")}`));
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then((code) => {
          done();
          reject(new Error(`server exited with ${code} before the log line: ${messages.join(" | ")}`));
        });
      });
    },
  };
}

export interface ServerProcess extends SpawnedServer {
  port: number;
  graphqlUrl: string;
  wsUrl: string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
}

/** Starts server/index.ts on a free loopback port and waits for its "listening" log line. */
export async function startServerProcess(
  env: Record<string, string>,
  options: Pick<SpawnOptions, "inspect"> = {},
): Promise<ServerProcess> {
  const spawned = spawnServer(env, options);
  const { port } = await spawned.waitForLog((entry) => entry.msg.startsWith("listening on") && !!entry.port);
  return {
    ...spawned,
    port: port!,
    graphqlUrl: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    stop: () => {
      spawned.child.kill("SIGTERM");
      return spawned.exited;
    },
    kill: async () => {
      spawned.child.kill("SIGKILL");
      await spawned.exited;
    },
  };
}

/**
 * A full garbage collection in a server started with `inspect`, through the
 * inspector protocol (HeapProfiler.collectGarbage), so that a reading of its
 * resident memory afterwards counts what it keeps, not garbage V8 has not
 * collected yet.
 */
export async function collectGarbage(server: SpawnedServer): Promise<void> {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(server.stderr())?.[1];
  if (!url) throw new Error("the server was not started with inspect: true");
  const socket = new WebSocket(url);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer from the inspector within 30 s")), 30_000);
      socket.once("error", reject);
      socket.once("open", () =>
        socket.send(JSON.stringify({ id: 1, method: "HeapProfiler.collectGarbage" })),
      );
      socket.on("message", (data) => {
        if (JSON.parse(String(data)).id !== 1) return;
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    socket.close();
  }
}

/** For afterAll: no server process outlives its test file. */
export function killAllServerProcesses() {
  for (const child of running) child.kill("SIGKILL");
}
