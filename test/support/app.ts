// Starts the real app on a free loopback port with its own test database.
// Its log lines are kept (warn and above unless LOG_LEVEL says otherwise), so
// a test can wait for what the server reports instead of for a duration.
import { Writable } from "node:stream";
import type { Clock } from "../../domain/clock.ts";
import type { DatabaseOptions } from "../../lib/db.ts";
import { createLogger } from "../../lib/logger.ts";
import { type App, buildApp } from "../../server/app.ts";
import { loadConfig } from "../../server/config.ts";
import { type Scenario, type Seeded, writeScenario } from "../scenarios/scenario.ts";
import { createTestDatabase } from "./database.ts";
import { type WaitOptions, waitUntil } from "./wait.ts";

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface RunningApp {
  app: App;
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  /** What the server logged so far. */
  logs: LogLine[];
  /** Resolves with the first log line that matches, logged before or after the call. */
  waitForLog(match: (line: LogLine) => boolean, options?: WaitOptions): Promise<LogLine>;
  stop(): Promise<void>;
}

export interface TestAppOptions extends Pick<DatabaseOptions, "onQuery" | "onOperation"> {
  startWorker?: boolean;
  /** Write the demo data into the empty database (default true; startScenarioApp writes a scenario instead). */
  seedDemo?: boolean;
  /** The server clock instead of FAKE_NOW's running one (domain/clock.ts manualClock: a test moves it). */
  clock?: Clock;
}

/** The app on the demo data (SPEC §6), for tests about the demo itself and end-to-end stories. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<RunningApp> {
  // No metrics listener unless a test asks for one (METRICS_PORT=0): apps of parallel files would fight over 9464.
  const config = loadConfig({ LOG_LEVEL: "warn", METRICS_PORT: "off", ...env });
  const logs: LogLine[] = [];
  const logger = createLogger(
    config.logLevel,
    new Writable({
      write(chunk, _encoding, callback) {
        logs.push(JSON.parse(String(chunk)) as LogLine);
        callback();
      },
    }),
  );
  const database = await createTestDatabase({
    migrate: false,
    onQuery: options.onQuery,
    onOperation: options.onOperation,
  });
  const app = await buildApp({
    config,
    logger,
    database,
    startWorker: options.startWorker,
    seedDemo: options.seedDemo,
    clock: options.clock,
  });
  const { url } = await app.start(0, "127.0.0.1");
  return {
    app,
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `${url.replace("http", "ws")}/graphql`,
    logs,
    waitForLog: async (match, waitOptions) =>
      (await waitUntil(
        () => logs.find(match),
        (line) => line !== undefined,
        { what: "a log line", ...waitOptions },
      )) as LogLine,
    stop: () => app.stop(),
  };
}

/** The app on a named scenario's data instead of the demo's; `data` names what the scenario wrote. */
export async function startScenarioApp<L extends string>(
  scenario: Scenario<L>,
  env: Record<string, string> = {},
  options: Omit<TestAppOptions, "seedDemo"> = {},
): Promise<RunningApp & { data: Seeded<L> }> {
  const running = await startTestApp(env, { ...options, seedDemo: false });
  const data = await writeScenario(running.app.database.prisma, scenario, running.app.clock.now());
  return { ...running, data };
}
