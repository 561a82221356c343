// Bulk insert (seeding, receipt items, webhook events). Prisma's createMany
// binds every column of every row as its own parameter and goes through the
// WASM query compiler; handing Postgres one JSON parameter that it expands
// itself is several times faster, for large seeds and 200-line submits alike
// (bench/README.md). Columns left out of the rows get their database defaults
// (a serial column numbers the rows in the order given); `onConflict:
// "ignore"` skips rows whose key is taken.
import type { Prisma, PrismaClient } from "./generated/client/client.ts";

type Tx = Prisma.TransactionClient | PrismaClient;

/**
 * Inserts `rows` in the order given. With `returning`, answers that column of
 * each inserted row as text (a column the database filled, such as a serial),
 * in the order of `rows`, which must then carry their `id`.
 */
export async function bulkInsert(
  db: Tx,
  table: string,
  rows: Record<string, unknown>[],
  options: { onConflict?: "error" | "ignore"; returning?: string } = {},
): Promise<string[]> {
  const first = rows[0];
  if (!first) return [];
  const columns = Object.keys(first)
    .map((c) => `"${c}"`)
    .join(", ");
  const insert = `INSERT INTO "${table}" (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::"${table}", $1::json) WITH ORDINALITY AS "row" ORDER BY "row"."ordinality"${options.onConflict === "ignore" ? " ON CONFLICT DO NOTHING" : ""}`;
  const json = JSON.stringify(rows);
  if (!options.returning) {
    await db.$executeRawUnsafe(insert, json);
    return [];
  }
  const returned = await db.$queryRawUnsafe<{ id: string; value: string }[]>(
    `${insert} RETURNING "id"::text AS "id", "${options.returning}"::text AS "value"`,
    json,
  );
  const byId = new Map(returned.map((r) => [r.id, r.value]));
  return rows.map((row) => byId.get(String(row.id)) ?? "");
}
