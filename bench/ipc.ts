// Request/response over Node's child-process IPC channel: the orchestrator
// (bench/run.ts) drives the server harness, the load generator and the
// baseline servers, each in its own process, with a timeout on every call so a
// hung scenario fails with a message instead of hanging the run.
import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const benchDir = path.dirname(fileURLToPath(import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: handlers take whatever the orchestrator sends
type Handler = (args: any) => unknown;

interface Request {
  id: number;
  method: string;
  args: unknown;
}

interface Response {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** Shortens an error to one readable line (PGlite's can carry a whole minified bundle). */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = text.split("\n").find((l) => l.trim() !== "") ?? text;
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

/** Child side: answers the orchestrator's calls, then reports ready with `info`. */
export function serve(handlers: Record<string, Handler>, info: unknown = {}): void {
  if (!process.send) throw new Error("bench processes must be started by bench/run.ts (no IPC channel)");
  process.on("message", async (message: Request) => {
    const handler = handlers[message.method];
    let response: Response;
    try {
      if (!handler) throw new Error(`unknown method ${message.method}`);
      response = { id: message.id, ok: true, value: await handler(message.args) };
    } catch (error) {
      response = { id: message.id, ok: false, error: describeError(error) };
    }
    process.send?.(response);
  });
  // The orchestrator went away: nothing left to do.
  process.on("disconnect", () => process.exit(0));
  process.send({ ready: true, info });
}

export interface Peer<Info = unknown> {
  name: string;
  info: Info;
  pid: number;
  call<T = unknown>(method: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to stop (method `stop` when it has one), then kills it if it does not exit. */
  close(): Promise<void>;
}

/** Starts `file` (a bench/*.ts) as `node --import tsx` with an IPC channel; resolves when it is ready. */
export async function startPeer<Info = unknown>(
  name: string,
  file: string,
  options: { env?: Record<string, string>; execArgv?: string[]; readyTimeoutMs?: number } = {},
): Promise<Peer<Info>> {
  const child: ChildProcess = fork(path.join(benchDir, file), [], {
    execArgv: ["--import", "tsx", ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    serialization: "advanced",
  });
  forwardOutput(name, child);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = true;
      for (const { reject } of pending.values())
        reject(new Error(`${name} exited (${signal ?? code}) during a call`));
      pending.clear();
      resolve();
    });
  });
  const info = await new Promise<Info>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} not ready after ${options.readyTimeoutMs ?? 60_000} ms`)),
      options.readyTimeoutMs ?? 60_000,
    );
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready`));
    });
    child.on("message", (message: Response | { ready: true; info: Info }) => {
      if ("ready" in message) {
        clearTimeout(timer);
        resolve(message.info);
        return;
      }
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(new Error(`${name}: ${message.error}`));
    });
  }).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw error;
  });

  return {
    name,
    info,
    pid: child.pid ?? -1,
    call<T>(method: string, args?: unknown, timeoutMs = 60_000): Promise<T> {
      if (exited) return Promise.reject(new Error(`${name} is not running`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}.${method} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, method, args } satisfies Request);
      });
    },
    async close() {
      if (exited) return;
      const stopping = new Promise<void>((resolve) => {
        const id = nextId++;
        pending.set(id, { resolve: () => resolve(), reject: () => resolve() });
        child.send({ id, method: "stop", args: {} } satisfies Request, () => {});
      });
      const killTimer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await Promise.race([stopping.then(() => exit), exit]);
      clearTimeout(killTimer);
    },
  };
}

function forwardOutput(name: string, child: ChildProcess) {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      if (line.trim() === "") return;
      process.stderr.write(`  [${name}] ${line.length > 300 ? `${line.slice(0, 300)}…` : line}\n`);
    });
  }
}
