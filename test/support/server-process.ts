// The real server as a separate process (server/index.ts), as a user runs it.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

const root = path.resolve(import.meta.dirname, "../..");
const running = new Set<ChildProcess>();

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  graphqlUrl: string;
  wsUrl: string;
  /** The `msg` of every log line so far. */
  messages: string[];
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
}

/** Starts server/index.ts on a free loopback port and waits for its "listening" log line. */
export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const messages: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${messages.join(" | ")}`)), 90_000);
    const early = (code: number | null) => reject(new Error(`server exited early with ${code}`));
    child.once("exit", early);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const entry = JSON.parse(line) as { msg: string; port?: number };
      messages.push(entry.msg);
      if (entry.msg.startsWith("listening on") && entry.port) {
        clearTimeout(timer);
        child.off("exit", early);
        const port = entry.port;
        resolve({
          child,
          port,
          graphqlUrl: `http://127.0.0.1:${port}/graphql`,
          wsUrl: `ws://127.0.0.1:${port}/graphql`,
          messages,
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
          kill: async () => {
            child.kill("SIGKILL");
            await exited;
          },
        });
      }
    });
  });
}

/** For afterAll: no server process outlives its test file. */
export function killAllServerProcesses() {
  for (const child of running) child.kill("SIGKILL");
}
