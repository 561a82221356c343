// Migrations without Prisma's native engines.
//
// The Prisma CLI downloads a native schema-engine binary for every migrate
// command, which these machines cannot fetch. The same engine ships on npm
// compiled to WebAssembly (@prisma/schema-engine-wasm) and accepts a driver
// adapter, so we drive it directly: `applyMigrations` records the standard
// `_prisma_migrations` table (a machine with the binary sees the same history)
// and `diff` writes new migrations from schema changes.
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import { PrismaPGlite } from "pglite-prisma-adapter";

const here = path.dirname(fileURLToPath(import.meta.url));
export const migrationsDir = path.join(here, "migrations");
export const schemaPath = path.join(here, "schema.prisma");

const noFilters = { externalTables: [], externalEnums: [] };

type EngineModule = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
let engineModule: Promise<EngineModule> | undefined;

/**
 * The package's entry imports its .wasm as an ES module, which Node 20 cannot
 * do; instantiate the module ourselves and hand it to the wasm-bindgen glue.
 */
function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = path.join(
      path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")),
      "schema_engine_bg.wasm",
    );
    const bg: EngineModule = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const module = await WebAssembly.compile(await readFile(wasmPath));
    const instance = await WebAssembly.instantiate(module, {
      "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports,
    });
    (bg as unknown as { __wbg_set_wasm(exports: unknown): void }).__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bg;
  })();
  return engineModule;
}

async function withEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  fn: (engine: SchemaEngine) => Promise<T>,
  log: (message: string) => void = () => {},
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const schema = await readFile(schemaPath, "utf8");
  // engine.free() does not close the connections the engine opened; with
  // PostgreSQL an open one keeps the migration advisory lock and a pool timer
  // alive. Track them and dispose of them ourselves.
  const opened: { dispose(): Promise<void> }[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => remember(wholeScripts(await adapterFactory.connect())),
    connectToShadowDb: async () => remember(wholeScripts(await adapterFactory.connectToShadowDb())),
  };
  function remember<T extends { dispose(): Promise<void> }>(adapter: T): T {
    opened.push(adapter);
    return adapter;
  }
  const engine = await SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    (message: string) => log(message),
    bindMigrationAwareSqlAdapterFactory(tracked),
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose().catch(() => {})));
  }
}

/**
 * @prisma/adapter-pg runs a script cut at every ";", piece by piece, each
 * committed on its own: a function body (`$$ … ; … $$`, the line_counts
 * triggers) breaks, and a migration that fails halfway stays half applied.
 * Send the script whole, as Prisma's native engine does and PGlite's adapter
 * already does: PostgreSQL runs a multi-statement simple query (no
 * parameters) as one transaction.
 */
function wholeScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  if (adapter.adapterName !== "@prisma/adapter-pg") return adapter;
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

/** Reads prisma/migrations the way the Prisma CLI does. */
export async function loadMigrations(dir = migrationsDir): Promise<MigrationList> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name, "migration.sql");
      const content = await readFile(file, "utf8").then(
        (ok) => ({ tag: "ok" as const, value: ok }),
        (error: Error) => ({ tag: "error" as const, value: error.message }),
      );
      return { path: name, migrationFile: { path: "migration.sql", content } };
    }),
  );
  const lockPath = path.join(dir, "migration_lock.toml");
  const lockContent = await readFile(lockPath, "utf8").catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  } as MigrationList;
}

/** Applies pending migrations; returns the names of those it applied. */
export async function applyMigrations(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  options: { dir?: string; log?: (message: string) => void } = {},
): Promise<string[]> {
  const migrationsList = await loadMigrations(options.dir);
  return withEngine(
    adapterFactory,
    async (engine) => {
      const out = await engine.applyMigrations({ migrationsList, filters: noFilters });
      return out.appliedMigrationNames;
    },
    options.log,
  );
}

/**
 * The SQL that takes the database state of the migration history to the
 * current schema.prisma, or null when they already agree. Runs against
 * throwaway in-memory PGlite instances, so it needs no database of the user's.
 */
export async function diffSchemaAgainstMigrations(dir = migrationsDir): Promise<string | null> {
  const pg = new PGlite();
  try {
    const migrationsList = await loadMigrations(dir);
    const schema = await readFile(schemaPath, "utf8");
    const result = await withEngine(new PrismaPGlite(pg), (engine) =>
      engine.diff({
        from:
          migrationsList.migrationDirectories.length === 0
            ? { tag: "empty" }
            : { tag: "migrations", ...migrationsList },
        to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: schema }] },
        script: true,
        exitCode: true,
        filters: noFilters,
      }),
    );
    return result.exitCode === 2 ? (result.stdout ?? "") : null;
  } finally {
    await pg.close();
  }
}
