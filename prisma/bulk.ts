// Bulk insert (seeding, receipt items). Prisma's createMany costs about 0.5 ms a row here
// (WASM query compiler + PGlite); handing Postgres one JSON parameter that it
// expands itself is about five times faster, which keeps the 100,000-line
// benchmark seed under a minute. Columns left out of the rows get their
// database defaults; `onConflict: "ignore"` skips rows whose key is taken.
import type { Prisma, PrismaClient } from "./generated/client/client.ts";

type Tx = Prisma.TransactionClient | PrismaClient;

export async function bulkInsert(
  db: Tx,
  table: string,
  rows: Record<string, unknown>[],
  options: { onConflict?: "error" | "ignore" } = {},
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first)
    .map((c) => `"${c}"`)
    .join(", ");
  await db.$executeRawUnsafe(
    `INSERT INTO "${table}" (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::"${table}", $1::json)${options.onConflict === "ignore" ? " ON CONFLICT DO NOTHING" : ""}`,
    JSON.stringify(rows),
  );
}
