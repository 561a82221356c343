// Database commands that need no native Prisma engine:
//   npm run db:migrate              apply prisma/migrations to the configured database
//   npm run db:diff -- NAME         write a migration from changes to schema.prisma
//   npm run db:seed                 demo data, if the database is empty
//   npm run db:seed -- --lines N    add a large generated account (benchmarks)
// An entry point like server/index.ts: it reads the gateway's configuration, so
// it lives with the scripts, above prisma/ (which imports nothing from server/).
import { access, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { createClock } from "../domain/clock.ts";
import { openDatabase } from "../lib/db.ts";
import { applyMigrations, diffSchemaAgainstMigrations, migrationsDir } from "../prisma/migrate.ts";
import { seedDemoIfEmpty } from "../prisma/seed/demo.ts";
import { seedLargeAccount } from "../prisma/seed/large.ts";
import { loadConfig } from "../server/config.ts";

async function migrate() {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    const applied = await applyMigrations(db.adapterFactory);
    console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
  } finally {
    await db.close();
  }
}

async function diff(name: string | undefined) {
  if (!name || !/^[a-z0-9_]+$/i.test(name)) {
    throw new Error("Usage: npm run db:diff -- NAME   (letters, digits and _)");
  }
  const sql = await diffSchemaAgainstMigrations();
  if (sql === null) {
    console.log("schema.prisma matches the migration history; nothing to write.");
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = path.join(migrationsDir, `${stamp}_${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "migration.sql"), sql);
  const lock = path.join(migrationsDir, "migration_lock.toml");
  await access(lock).catch(() => writeFile(lock, '# Written by npm run db:diff\nprovider = "postgresql"\n'));
  console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
}

async function seed(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { lines: { type: "string" }, code: { type: "string" } },
  });
  const config = loadConfig();
  const now = createClock(config.fakeNow).now();
  const db = await openDatabase(config);
  try {
    await applyMigrations(db.adapterFactory);
    if (values.lines) {
      const lines = Number(values.lines);
      if (!Number.isInteger(lines) || lines < 1) throw new Error("--lines expects a positive integer");
      const code = values.code ?? String(Date.now());
      const started = performance.now();
      const result = await seedLargeAccount(db.prisma, { lines, code, password: config.demoPassword, now });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `Seeded ${result.listed} lines into account ${result.accountId} (login Bench-${code}@admin) in ${seconds} s`,
      );
    } else {
      const seeded = await seedDemoIfEmpty(db.prisma, { password: config.demoPassword, now });
      console.log(seeded ? "Demo data written." : "Database is not empty; demo data left alone.");
    }
  } finally {
    await db.close();
  }
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, () => Promise<void>> = {
  migrate,
  diff: () => diff(rest[0]),
  seed: () => seed(rest),
};
const run = command ? commands[command] : undefined;
if (!run) {
  console.error("Usage: tsx scripts/db.ts migrate | diff NAME | seed [--lines N] [--code X]");
  process.exit(2);
}
// Exit explicitly: the WASM schema engine leaves a timer that would hold the
// process open for seconds after the work is done.
run().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
