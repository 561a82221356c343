// A fresh, migrated database for one test file: in-memory PGlite by default,
// or a new database on the PostgreSQL server named by TEST_DATABASE_URL (CI
// runs the database tests once more that way, so both adapters are proven).
import { randomUUID } from "node:crypto";
import pg from "pg";
import { type Database, type DatabaseOptions, openDatabase } from "../../lib/db.ts";
import { applyMigrations } from "../../prisma/migrate.ts";

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

/** A new, empty database on the TEST_DATABASE_URL server, for a server process to migrate and seed. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `test_${randomUUID().replaceAll("-", "")}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export async function createTestDatabase(
  options: { migrate?: boolean } & Pick<DatabaseOptions, "onQuery" | "onOperation"> = {},
): Promise<Database> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const hooks = { onQuery: options.onQuery, onOperation: options.onOperation };
  let database: Database;
  let drop = async () => {};
  if (serverUrl) {
    const name = `test_${randomUUID().replaceAll("-", "")}`;
    await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    database = await openDatabase({ ...hooks, databaseUrl: url.toString(), dataDir: "" });
    drop = () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    database = await openDatabase({ ...hooks, dataDir: "memory://" });
  }
  if (options.migrate ?? true) await applyMigrations(database.adapterFactory);
  return {
    ...database,
    close: async () => {
      await database.close();
      await drop();
    },
  };
}

async function adminQuery(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
