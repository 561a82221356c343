// Opens the database: PGlite (Postgres compiled to WASM, file-backed) by
// default, real PostgreSQL when DATABASE_URL is set. Both go through a Prisma
// driver adapter, so the rest of the code cannot tell them apart.
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../prisma/generated/client/client.ts";
import { yieldingPGlite } from "./pglite-turns.ts";

export type Db = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  kind: "pglite" | "postgres";
  /** The adapter factory, for the schema engine (migrations). */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /**
   * Connections to PostgreSQL at most (pg's default, 10, when unset). Every
   * interactive transaction holds one: the worker's items and the submits of
   * one process share them.
   */
  databasePoolSize?: number;
  /** PGlite data directory; ignored when databaseUrl is set. "memory://" for a throwaway one. */
  dataDir: string;
  /** Called with every SQL statement Prisma sends (tests look for particular statements). */
  onQuery?: (sql: string) => void;
  /**
   * Called with every Prisma call before it runs: its model (undefined for raw SQL such as
   * `$queryRaw`) and operation. Tests snapshot the calls of a request, so an N+1 or an
   * extra read shows up as a readable diff.
   */
  onOperation?: (model: string | undefined, operation: string) => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const adapterFactory = new PrismaPg({
      connectionString: options.databaseUrl,
      max: options.databasePoolSize ?? 10,
    });
    const prisma = createClient(adapterFactory, options);
    return {
      prisma,
      kind: "postgres",
      adapterFactory,
      close: () => prisma.$disconnect(),
    };
  }
  const inMemory = options.dataDir.startsWith("memory://");
  // PGlite needs its directory to exist before it opens it.
  if (!inMemory) mkdirSync(options.dataDir, { recursive: true });
  const pg = await PGlite.create(inMemory ? undefined : options.dataDir);
  const adapterFactory = new PrismaPGlite(yieldingPGlite(pg));
  const prisma = createClient(adapterFactory, options);
  return {
    prisma,
    kind: "pglite",
    adapterFactory,
    // An open PGlite keeps the process alive; close it explicitly.
    close: async () => {
      await prisma.$disconnect();
      await pg.close();
    },
  };
}

function createClient(
  adapter: SqlMigrationAwareDriverAdapterFactory,
  { onQuery, onOperation }: Pick<DatabaseOptions, "onQuery" | "onOperation">,
): PrismaClient {
  const prisma = onQuery ? loggingClient(adapter, onQuery) : new PrismaClient({ adapter });
  if (!onOperation) return prisma;
  // The extension only observes: it changes no result type, so the extended client
  // is still a PrismaClient to its callers. Only tests pass onOperation.
  return prisma.$extends({
    query: {
      $allOperations({ model, operation, args, query }) {
        onOperation(model, operation);
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
}

function loggingClient(adapter: SqlMigrationAwareDriverAdapterFactory, onQuery: (sql: string) => void) {
  const prisma = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  prisma.$on("query", (event) => onQuery(event.query));
  return prisma;
}
