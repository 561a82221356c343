// The production layout on loopback (issue 15): PostgreSQL and Redis from
// Debian's packages (scripts/postgres-local.sh, scripts/redis-local.sh), an
// SMTP sink (scripts/smtp-sink.ts), the carrier simulator over HTTP, two API
// instances and one worker instance, each its own process, started with the
// same command as the image (GATEWAY_COMMAND, the Dockerfile's CMD).
//
//   npm run cluster [-- --base-port 4100] [-- --dir ./data-cluster]
//
// prints the URLs and stops everything on Ctrl-C or SIGTERM. Tests import
// startCluster() and stop, kill and restart the parts one by one
// (test/faults/harness.ts).
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  type WriteStream,
} from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "..");
const run = promisify(execFile);

/** How the image starts the gateway (the Dockerfile's CMD, package.json's `serve`); the cluster runs the same. */
export const GATEWAY_COMMAND = ["node", "--import", "tsx", "server/index.ts"] as const;
/** How compose.yaml starts the carrier simulator (package.json's `carrier` runs the same file). */
export const CARRIER_COMMAND = ["node", "--import", "tsx", "server/carrier/index.ts"] as const;
const SMTP_SINK_COMMAND = ["node", "--import", "tsx", "scripts/smtp-sink.ts"] as const;

/** The worker tier: carrier workers, /health and /ready, no API. The API instances run WORKER=off. */
export const WORKER_INSTANCE_MODE = "only";

/** Ports, as offsets from the base port (default 4100: API on 4100 and 4101, worker 4102, carrier 4110 …). */
export const PORT_OFFSETS = {
  api0: 0,
  api1: 1,
  worker: 2,
  carrier: 10,
  smtp: 25,
  smtpHttp: 26,
  postgres: 32,
  redis: 79,
} as const;

export const DEFAULT_BASE_PORT = 4100;
const GATEWAY_DATABASE = "anshin";

export interface ClusterOptions {
  /** First port of the layout (PORT_OFFSETS); default 4100. */
  basePort?: number;
  /** Where PostgreSQL, the carrier, the SMTP sink and the logs keep their files; default a new temp dir. */
  dir?: string;
  /** Keep `dir` on stop (default: kept when given, removed when temporary). */
  keepDir?: boolean;
  /** Variables for every node process (gateway instances, carrier, sink), e.g. FAKE_NOW. */
  env?: Record<string, string>;
  /** Variables for the API instances only, the worker instance only, the carrier only. */
  apiEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  carrierEnv?: Record<string, string>;
  /** Told what is being started (the CLI prints it). */
  onProgress?: (message: string) => void;
  /** Told of a process that exited without being asked to (also listed in `exits`). */
  onUnexpectedExit?: (exit: UnexpectedExit) => void;
}

export interface LogEntry {
  msg: string;
  [field: string]: unknown;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal (or the request) to the exit. */
  ms: number;
}

export interface UnexpectedExit {
  part: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  at: Date;
}

/** A part of the layout that can be stopped, crashed and started again on the same port. */
export interface Part {
  readonly name: string;
  /** The process id while it runs. */
  readonly pid: number | undefined;
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
  /** Starts and waits until it serves. */
  start(): Promise<void>;
  /** A clean stop (SIGTERM; PostgreSQL: fast shutdown). */
  stop(): Promise<ExitInfo>;
  /** A crash (SIGKILL; PostgreSQL: immediate shutdown, recovery on the next start). */
  kill(): Promise<ExitInfo>;
  /** stop() then start(). */
  restart(): Promise<void>;
}

/** A node process of the layout (gateway instance, carrier, SMTP sink). */
export interface ProcessPart extends Part {
  /** Log lines of the current (or last) run, JSON-parsed; the file keeps every run. */
  readonly logs: LogEntry[];
  readonly logFile: string;
  /** Spawns without waiting (to stop a process while it is starting). */
  spawn(): void;
  /** Resolves with the first log line of this run that matches; rejects if the process exits first. */
  waitForLog(match: (entry: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
  /** Resolves when the process answers its health URL; rejects if it exits first. */
  waitUntilServing(timeoutMs?: number): Promise<void>;
}

export interface GatewayPart extends ProcessPart {
  readonly graphqlUrl: string;
  readonly wsUrl: string;
  readonly healthUrl: string;
  readonly readyUrl: string;
}

export interface Cluster {
  readonly dir: string;
  readonly basePort: number;
  readonly postgres: Part & { readonly databaseUrl: string };
  readonly redis: Part;
  readonly smtp: ProcessPart & { readonly messagesUrl: string };
  readonly carrier: ProcessPart;
  readonly api: readonly [GatewayPart, GatewayPart];
  readonly worker: GatewayPart;
  /** Every part, in start order. */
  readonly parts: readonly Part[];
  /** Processes that exited without being asked to (a fault test's "processes that exited"). */
  readonly exits: UnexpectedExit[];
  /** Name → URL, as the CLI prints them. */
  urls(): Record<string, string>;
  /** Stops every part (gateway instances first, PostgreSQL last); removes a temporary dir. */
  stop(): Promise<void>;
}

/** Is `port` free on 127.0.0.1? */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Does anything accept connections on `port`? */
export function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.connect(port, "127.0.0.1");
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The first line of a pid file (PostgreSQL's postmaster.pid, Redis's pidfile). */
function readPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, "utf8").split("\n")[0]) || undefined;
  } catch {
    return undefined;
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface ProcessSpec {
  name: string;
  port: number;
  url: string;
  healthUrl: string;
  command: readonly string[];
  env: () => Record<string, string>;
}

function processPart(spec: ProcessSpec, logDir: string, onUnexpected: (exit: UnexpectedExit) => void) {
  const logFile = path.join(logDir, `${spec.name}.log`);
  let child: ChildProcess | null = null;
  let exited: Promise<ExitInfo> | null = null;
  let expectingExit = false;
  let signalledAt = 0;
  let logs: LogEntry[] = [];
  const waiters = new Set<(entry: LogEntry) => void>();
  let file: WriteStream | null = null;
  // The last lines the process wrote, for the error when it exits while
  // starting: the log directory goes when the cluster stops, and a CI log
  // shows the error alone.
  let tail: string[] = [];
  const remember = (text: string) => {
    for (const line of text.split("\n")) if (line) tail.push(line.slice(0, 2000));
    if (tail.length > 40) tail = tail.slice(-40);
  };

  function spawnChild() {
    if (child) throw new Error(`${spec.name} is already running`);
    file ??= createWriteStream(logFile, { flags: "a" });
    const out = file;
    logs = [];
    expectingExit = false;
    const [, ...args] = spec.command;
    const started = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...spec.env() },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: a Ctrl-C in the terminal reaches the cluster
      // alone, which then stops the parts in order.
      detached: true,
    });
    child = started;
    tail = [];
    started.stderr.on("data", (chunk: Buffer) => {
      out.write(chunk);
      remember(chunk.toString("utf8"));
    });
    createInterface({ input: started.stdout }).on("line", (line) => {
      out.write(`${line}\n`);
      remember(line);
      let entry: LogEntry;
      try {
        entry = JSON.parse(line) as LogEntry;
      } catch {
        entry = { msg: line };
      }
      logs.push(entry);
      for (const waiter of waiters) waiter(entry);
    });
    exited = new Promise((resolve) => {
      started.once("exit", (code, signal) => {
        child = null;
        const info = { code, signal, ms: signalledAt ? Date.now() - signalledAt : 0 };
        if (!expectingExit) onUnexpected({ part: spec.name, code, signal, at: new Date() });
        resolve(info);
      });
    });
  }

  function waitForLog(match: (entry: LogEntry) => boolean, timeoutMs = 90_000): Promise<LogEntry> {
    const seen = logs.find(match);
    if (seen) return Promise.resolve(seen);
    const running = exited;
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
        reject(new Error(`${spec.name}: no matching log line within ${timeoutMs} ms (log: ${logFile})`));
      }, timeoutMs);
      waiters.add(waiter);
      void running?.then((exit) => {
        done();
        reject(new Error(`${spec.name} exited with ${exit.code ?? exit.signal} (log: ${logFile})`));
      });
    });
  }

  async function waitUntilServing(timeoutMs = 120_000) {
    const running = exited;
    let gone = false;
    void running?.then(() => {
      gone = true;
    });
    await waitFor(
      async () => {
        if (gone || !running)
          throw new Error(
            `${spec.name} exited while starting (log: ${logFile}); its last lines:\n${tail.join("\n")}`,
          );
        try {
          const response = await fetch(spec.healthUrl, { signal: AbortSignal.timeout(2000) });
          return response.status === 200;
        } catch {
          return false;
        }
      },
      `${spec.name} to serve ${spec.healthUrl}`,
      timeoutMs,
    );
  }

  async function end(signal: NodeJS.Signals): Promise<ExitInfo> {
    if (!child || !exited) return { code: null, signal: null, ms: 0 };
    expectingExit = true;
    signalledAt = Date.now();
    child.kill(signal);
    return exited;
  }

  const part = {
    name: spec.name,
    port: spec.port,
    url: spec.url,
    logFile,
    get running() {
      return child !== null;
    },
    get pid() {
      return child?.pid;
    },
    get logs() {
      return logs;
    },
    spawn: spawnChild,
    waitForLog,
    waitUntilServing,
    async start() {
      spawnChild();
      await waitUntilServing();
    },
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
    async restart() {
      await end("SIGTERM");
      await part.start();
    },
    /** For the process's exit handler: no child outlives the cluster. */
    killNow() {
      child?.kill("SIGKILL");
    },
    closeLog() {
      file?.end();
      file = null;
    },
  };
  return part;
}

/** Like Promise.all, but waits for every promise: a failed start cleans up after all of them. */
async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Starts the whole layout and waits until every part serves. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const basePort = options.basePort ?? DEFAULT_BASE_PORT;
  const temporary = !options.dir;
  const dir = path.resolve(options.dir ?? mkdtempSync(path.join(tmpdir(), "anshin-cluster-")));
  const keepDir = options.keepDir ?? !temporary;
  mkdirSync(dir, { recursive: true });
  // PostgreSQL runs as its own user when we are root: it must reach its directory.
  chmodSync(dir, 0o755);
  const logDir = path.join(dir, "logs");
  mkdirSync(logDir, { recursive: true });
  const progress = options.onProgress ?? (() => {});
  const port = (name: keyof typeof PORT_OFFSETS) => basePort + PORT_OFFSETS[name];

  for (const [name, offset] of Object.entries(PORT_OFFSETS)) {
    if (!(await portIsFree(basePort + offset)))
      throw new Error(`port ${basePort + offset} (${name}) is in use: choose another base port`);
  }

  const exits: UnexpectedExit[] = [];
  const onUnexpected = (exit: UnexpectedExit) => {
    exits.push(exit);
    options.onUnexpectedExit?.(exit);
  };

  const pgDir = path.join(dir, "postgres");
  const redisDir = path.join(dir, "redis");
  const serverUrl = `postgresql://postgres@127.0.0.1:${port("postgres")}/postgres`;
  const databaseUrl = `postgresql://postgres@127.0.0.1:${port("postgres")}/${GATEWAY_DATABASE}`;
  const redisUrl = `redis://127.0.0.1:${port("redis")}`;
  const smtpUrl = `smtp://127.0.0.1:${port("smtp")}`;
  const carrierUrl = `http://127.0.0.1:${port("carrier")}`;
  const script = (name: string) => path.join(root, "scripts", name);
  const scriptLog = createWriteStream(path.join(logDir, "scripts.log"), { flags: "a" });
  const runScript = async (name: string, args: string[]) => {
    const { stdout, stderr } = await run("bash", [script(name), ...args], { cwd: root });
    scriptLog.write(stderr);
    return stdout.trim();
  };

  let postgresRunning = false;
  let redisRunning = false;
  const postgres = {
    name: "postgres",
    get pid() {
      return postgresRunning ? readPid(path.join(pgDir, "db", "postmaster.pid")) : undefined;
    },
    port: port("postgres"),
    url: serverUrl,
    databaseUrl,
    get running() {
      return postgresRunning;
    },
    async start() {
      await runScript("postgres-local.sh", ["start", String(port("postgres")), pgDir]);
      postgresRunning = true;
    },
    async stop() {
      const at = Date.now();
      postgresRunning = false;
      await runScript("postgres-local.sh", ["stop", pgDir, "fast"]);
      return { code: 0, signal: null, ms: Date.now() - at };
    },
    async kill() {
      const at = Date.now();
      postgresRunning = false;
      await runScript("postgres-local.sh", ["stop", pgDir, "immediate"]);
      return { code: null, signal: "SIGQUIT" as const, ms: Date.now() - at };
    },
    async restart() {
      await postgres.stop();
      await postgres.start();
    },
  };
  const redisPid = () => readPid(path.join(redisDir, "redis.pid"));
  const endRedis = async (signal: NodeJS.Signals) => {
    const at = Date.now();
    const pid = redisPid();
    redisRunning = false;
    if (pid && isAlive(pid)) {
      process.kill(pid, signal);
      // Its port, not its pid: a daemon killed here may linger as a zombie until init reaps it.
      await waitFor(async () => !(await portIsOpen(port("redis"))), "Redis to exit", 30_000);
    }
    return { code: null, signal, ms: Date.now() - at };
  };
  const redis = {
    name: "redis",
    get pid() {
      return redisRunning ? redisPid() : undefined;
    },
    port: port("redis"),
    url: redisUrl,
    get running() {
      return redisRunning;
    },
    async start() {
      await runScript("redis-local.sh", ["start", String(port("redis")), redisDir]);
      redisRunning = true;
    },
    stop: () => endRedis("SIGTERM"),
    kill: () => endRedis("SIGKILL"),
    async restart() {
      await redis.stop();
      await redis.start();
    },
  };

  const common = () => ({ LOG_LEVEL: "info", ...options.env });
  const smtp = Object.assign(
    processPart(
      {
        name: "smtp",
        port: port("smtp"),
        url: smtpUrl,
        healthUrl: `http://127.0.0.1:${port("smtpHttp")}/health`,
        command: SMTP_SINK_COMMAND,
        env: () => ({
          ...common(),
          SMTP_SINK_HOST: "127.0.0.1",
          SMTP_SINK_PORT: String(port("smtp")),
          SMTP_SINK_HTTP_PORT: String(port("smtpHttp")),
          SMTP_SINK_DIR: path.join(dir, "smtp"),
        }),
      },
      logDir,
      onUnexpected,
    ),
    { messagesUrl: `http://127.0.0.1:${port("smtpHttp")}/messages` },
  );
  const carrier = processPart(
    {
      name: "carrier",
      port: port("carrier"),
      url: carrierUrl,
      healthUrl: `${carrierUrl}/health`,
      command: CARRIER_COMMAND,
      // A database of its own (PGlite): the carrier stands for another company's
      // system, which a PostgreSQL outage of ours does not take down.
      env: () => ({
        ...common(),
        CARRIER_HOST: "127.0.0.1",
        CARRIER_PORT: String(port("carrier")),
        CARRIER_DATA_DIR: path.join(dir, "carrier"),
        ...options.carrierEnv,
      }),
    },
    logDir,
    onUnexpected,
  );
  const gateway = (name: string, p: number, worker: string, own: Record<string, string> | undefined) => {
    const url = `http://127.0.0.1:${p}`;
    return Object.assign(
      processPart(
        {
          name,
          port: p,
          url,
          healthUrl: `${url}/health`,
          command: GATEWAY_COMMAND,
          env: () => ({
            ...common(),
            HOST: "127.0.0.1",
            PORT: String(p),
            // Each instance its own metrics port (logged at start): they share one host.
            METRICS_PORT: "0",
            DATABASE_URL: databaseUrl,
            REDIS_URL: redisUrl,
            SMTP_URL: smtpUrl,
            CARRIER_URL: carrierUrl,
            WORKER: worker,
            ...own,
          }),
        },
        logDir,
        onUnexpected,
      ),
      {
        graphqlUrl: `${url}/graphql`,
        wsUrl: `ws://127.0.0.1:${p}/graphql`,
        healthUrl: `${url}/health`,
        readyUrl: `${url}/ready`,
      },
    );
  };
  const api = [
    gateway("api-0", port("api0"), "off", options.apiEnv),
    gateway("api-1", port("api1"), "off", options.apiEnv),
  ] as const;
  const worker = gateway("worker", port("worker"), WORKER_INSTANCE_MODE, options.workerEnv);
  const processes = [api[0], api[1], worker, carrier, smtp];

  // No child outlives this process, whatever ends it.
  const killEverything = () => {
    for (const part of processes) part.killNow();
    if (redisRunning) {
      const pid = redisPid();
      if (pid && isAlive(pid)) process.kill(pid, "SIGKILL");
    }
    if (postgresRunning) spawnSync("bash", [script("postgres-local.sh"), "stop", pgDir, "immediate"]);
  };
  process.on("exit", killEverything);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // Gateways first (they drain against their dependencies), then what they use.
      await Promise.all([...api, worker].map((part) => part.stop()));
      await Promise.all([carrier.stop(), smtp.stop()]);
      await Promise.all([redis.running ? redis.stop() : null, postgres.running ? postgres.stop() : null]);
      for (const part of processes) part.closeLog();
      scriptLog.end();
      process.off("exit", killEverything);
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    progress(`starting PostgreSQL, Redis, the SMTP sink and the carrier simulator (files in ${dir})`);
    const database = (async () => {
      await postgres.start();
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [GATEWAY_DATABASE]);
        if (found.rowCount === 0) await client.query(`CREATE DATABASE ${GATEWAY_DATABASE}`);
      } finally {
        await client.end();
      }
    })();
    const dependencies = settleAll([database, redis.start(), smtp.start()]);
    const carrierUp = carrier.start();
    // The API instances need no carrier to start; the worker's first roster sync does.
    const gateways = dependencies.then(() => {
      progress("starting two API instances and the worker instance");
      return settleAll([api[0].start(), api[1].start(), carrierUp.then(() => worker.start())]);
    });
    await settleAll([dependencies, carrierUp, gateways]);
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }

  return {
    dir,
    basePort,
    postgres,
    redis,
    smtp,
    carrier,
    api,
    worker,
    parts: [postgres, redis, smtp, carrier, api[0], api[1], worker],
    exits,
    urls: () => ({
      "api-0": api[0].graphqlUrl,
      "api-1": api[1].graphqlUrl,
      worker: worker.healthUrl,
      carrier: carrierUrl,
      smtp: smtpUrl,
      "smtp-messages": smtp.messagesUrl,
      postgres: databaseUrl,
      redis: redisUrl,
    }),
    stop,
  };
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main() {
  const basePort = Number(argument("--base-port") ?? process.env.CLUSTER_BASE_PORT ?? DEFAULT_BASE_PORT);
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65_535 - 100) {
    console.error("--base-port: expected a port number");
    process.exit(2);
  }
  const dir = argument("--dir") ?? process.env.CLUSTER_DIR ?? path.join(root, "data-cluster");
  const starting = startCluster({
    basePort,
    dir,
    onProgress: (message) => console.log(message),
    onUnexpectedExit: (exit) =>
      console.log(`${exit.part} exited by itself (${exit.code ?? exit.signal}); see ${dir}/logs`),
  });
  // A stop during start-up waits for the start (or its failure and clean-up), then stops.
  let stopRequested = false;
  const shutdown = async (signal: string) => {
    if (stopRequested) return;
    stopRequested = true;
    console.log(`${signal}: stopping the cluster`);
    const cluster = await starting.catch(() => null);
    await cluster?.stop();
    console.log("stopped");
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void shutdown(signal));
  let cluster: Cluster;
  try {
    cluster = await starting;
  } catch (error) {
    if (stopRequested) return;
    console.error(`could not start the cluster: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
  if (stopRequested) return;
  const urls = cluster.urls();
  const width = Math.max(...Object.keys(urls).map((name) => name.length));
  console.log("cluster ready:");
  for (const [name, url] of Object.entries(urls)) console.log(`  ${name.padEnd(width)}  ${url}`);
  const pids = cluster.parts.map((part) => `${part.name}=${part.pid ?? "-"}`).join(" ");
  console.log(`  logs: ${path.join(cluster.dir, "logs")}`);
  console.log(`  pids: ${pids}`);
  console.log("Ctrl-C stops everything.");
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
