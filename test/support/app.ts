// Starts the real app on a free loopback port with its own test database.
import { type App, buildApp } from "../../server/app.ts";
import { loadConfig } from "../../server/config.ts";
import { createTestDatabase } from "./database.ts";

export interface RunningApp {
  app: App;
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  stop(): Promise<void>;
}

export async function startTestApp(
  env: Record<string, string> = {},
  options: { onQuery?: (sql: string) => void; startWorker?: boolean } = {},
): Promise<RunningApp> {
  const config = loadConfig({ LOG_LEVEL: "silent", ...env });
  const database = await createTestDatabase({ migrate: false, onQuery: options.onQuery });
  const app = await buildApp({ config, database, startWorker: options.startWorker });
  const { url } = await app.start(0, "127.0.0.1");
  return {
    app,
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `${url.replace("http", "ws")}/graphql`,
    stop: () => app.stop(),
  };
}
