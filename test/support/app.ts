// Starts the real app on a free loopback port with its own test database.
// Its log lines are kept (warn and above unless LOG_LEVEL says otherwise), so
// a test can wait for what the server reports instead of for a duration.
import { Writable } from "node:stream";
import type { DatabaseOptions } from "../../lib/db.ts";
import { createLogger } from "../../lib/logger.ts";
import { type App, buildApp } from "../../server/app.ts";
import { loadConfig } from "../../server/config.ts";
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

export async function startTestApp(
  env: Record<string, string> = {},
  options: { startWorker?: boolean } & Pick<DatabaseOptions, "onQuery" | "onOperation"> = {},
): Promise<RunningApp> {
  const config = loadConfig({ LOG_LEVEL: "warn", ...env });
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
  const app = await buildApp({ config, logger, database, startWorker: options.startWorker });
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
