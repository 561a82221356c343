// DATABASE_POOL_SIZE bounds the connections one process keeps to PostgreSQL
// (lib/db.ts): six statements at once on a pool of two use two connections.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../lib/db.ts";
import { createPostgresDatabase, usingPostgres } from "../support/database.ts";

describe.skipIf(!usingPostgres)("DATABASE_POOL_SIZE on PostgreSQL", () => {
  let created: { url: string; drop(): Promise<void> };
  let database: Database;

  beforeAll(async () => {
    created = await createPostgresDatabase();
    database = await openDatabase({ databaseUrl: created.url, dataDir: "", databasePoolSize: 2 });
  });
  afterAll(async () => {
    await database?.close();
    await created?.drop();
  });

  it("six statements at once share two connections", async () => {
    const backends = await Promise.all(
      Array.from(
        { length: 6 },
        () => database.prisma.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid FROM pg_sleep(0.2)`,
      ),
    );
    expect(new Set(backends.map(([row]) => row?.pid)).size).toBe(2);
  });
});
