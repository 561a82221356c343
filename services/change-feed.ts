// The change feed (lineChanges): "which lines changed since my cursor", for
// MDM tools that keep a copy of the line list.
//
// Every service that changes a listed line records it here, in the
// transaction that changes the line (recordLineChanges). Rows are numbered
// per account, and a reader must never see seq N+1 committed while N is
// still to come, or a client whose cursor moved past N would miss it for
// good. A plain sequence cannot promise that: numbers are handed out when a
// statement runs, not when its transaction commits. Two ways out:
//   (a) read only up to a watermark below the oldest running transaction
//       (pg_snapshot_xmin / txid), which needs the transaction ids recorded
//       with each row and holds every reader back behind the slowest writer
//       of any account, and does not exist the same way on every backend;
//   (b) a counter row per account, incremented in the same transaction: the
//       row lock is held until commit, so the next writer of that account
//       takes its numbers only after the previous one committed (or rolled
//       back, freeing its numbers again), and commit order is seq order.
// We take (b): it is plain SQL on PGlite and PostgreSQL alike, writers of
// different accounts never wait for each other, and a writer of one account
// holds the lock only for the end of its transaction (callers record their
// changes last, after every line lock they take, so lock order is always
// lines → counter and no deadlock can form).
//
// Retention: rows older than LINE_CHANGES_RETENTION_DAYS are deleted by the
// daily job (pruneLineChanges); the counter remembers the highest seq
// deleted, and a cursor below it is CURSOR_EXPIRED (the client resyncs,
// README "Change feed").
import { type Actor, canSeeLine } from "../domain/auth/actor.ts";
import type { Db } from "../lib/db.ts";
import type { Line, Prisma } from "../prisma/generated/client/client.ts";
import type { LineFeedKind } from "../prisma/generated/client/enums.ts";

export type { LineFeedKind };

/** Default number of days a change (and so a cursor) stays readable. */
export const DEFAULT_LINE_CHANGES_RETENTION_DAYS = 30;
/** The largest page of changes. */
export const MAX_FEED_PAGE = 200;
export const DEFAULT_FEED_PAGE = 100;

export interface LineChangeRecord {
  lineId: string;
  kind: LineFeedKind;
}

type Tx = Prisma.TransactionClient;

/**
 * Records changes of an account's lines, numbered after the account's
 * previous ones. Call it inside the transaction that changes the lines, after
 * its last line lock (see the head of this file).
 */
export async function recordLineChanges(
  tx: Tx,
  accountId: string,
  changes: readonly LineChangeRecord[],
  at: Date,
): Promise<void> {
  if (changes.length === 0) return;
  const n = changes.length;
  // One statement: the account's counter takes the n next numbers, the changes get them in order.
  await tx.$executeRaw`
    WITH "counter" AS (
      INSERT INTO "LineChangeCounter" ("accountId", "last") VALUES (${accountId}::uuid, ${n})
      ON CONFLICT ("accountId") DO UPDATE SET "last" = "LineChangeCounter"."last" + ${n}
      RETURNING "last"
    )
    INSERT INTO "LineChange" ("accountId", "seq", "lineId", "kind", "changedAt")
    SELECT ${accountId}::uuid, "counter"."last" - ${n}::int + "t"."ord"::int, "t"."lineId", "t"."kind"::"LineFeedKind", ${at}
    FROM "counter", unnest(${changes.map((c) => c.lineId)}::uuid[], ${changes.map((c) => c.kind)}::text[])
      WITH ORDINALITY AS "t"("lineId", "kind", "ord")`;
}

/** The same kind for every line. */
export const changesOf = (lineIds: readonly string[], kind: LineFeedKind): LineChangeRecord[] =>
  lineIds.map((lineId) => ({ lineId, kind }));

export interface FeedChange {
  line: Line;
  kind: LineFeedKind;
  changedAt: Date;
  seq: number;
}

export type FeedResult =
  | { ok: true; changes: FeedChange[]; cursor: string; hasMore: boolean }
  | { ok: false; code: "CURSOR_EXPIRED" | "INVALID_CURSOR" };

// Opaque to clients; versioned so the format can change.
const CURSOR_PREFIX = "lc1:";
export const feedCursor = (seq: number) => Buffer.from(`${CURSOR_PREFIX}${seq}`).toString("base64url");

export function parseFeedCursor(cursor: string): number | null {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith(CURSOR_PREFIX)) return null;
  const digits = text.slice(CURSOR_PREFIX.length);
  if (!/^\d{1,10}$/.test(digits)) return null;
  const seq = Number(digits);
  return Number.isSafeInteger(seq) ? seq : null;
}

/**
 * The lines that changed after `after`, as the actor may see them, in commit
 * order; a line that changed several times in the page appears once, at its
 * last change, with its current state. `after: null` answers no changes and
 * the cursor of now.
 */
export async function readLineChanges(
  db: Db,
  actor: Actor,
  args: { after: string | null; first: number },
): Promise<FeedResult> {
  // The end of this read, fixed before the rows are read: a change committed
  // meanwhile is above it and comes with the next call.
  const counter = await db.lineChangeCounter.findUnique({ where: { accountId: actor.accountId } });
  const last = counter?.last ?? 0;
  if (args.after === null) return { ok: true, changes: [], cursor: feedCursor(last), hasMore: false };
  const after = parseFeedCursor(args.after);
  if (after === null || after > last) return { ok: false, code: "INVALID_CURSOR" };
  if (after < (counter?.prunedThrough ?? 0)) return { ok: false, code: "CURSOR_EXPIRED" };
  const first = Math.max(0, Math.min(args.first, MAX_FEED_PAGE));
  if (first === 0) return { ok: true, changes: [], cursor: args.after, hasMore: after < last };
  const groupOnly = actor.kind === "admin" && actor.role === "GROUP";
  const groupIds = groupOnly ? actor.groupIds : [];
  // A GROUP administrator's page skips other groups' lines; the cursor still
  // moves past them.
  const rows = await db.$queryRaw<{ seq: number; lineId: string; kind: LineFeedKind; changedAt: Date }[]>`
    SELECT "c"."seq", "c"."lineId"::text AS "lineId", "c"."kind"::text AS "kind", "c"."changedAt"
    FROM "LineChange" "c" JOIN "Line" "l" ON "l"."id" = "c"."lineId"
    WHERE "c"."accountId" = ${actor.accountId}::uuid AND "c"."seq" > ${after} AND "c"."seq" <= ${last}
      AND (${groupOnly} = false OR "l"."groupId" = ANY(${groupIds}::uuid[]))
    ORDER BY "c"."seq"
    LIMIT ${first + 1}`;
  const hasMore = rows.length > first;
  const page = rows.slice(0, first);
  const cursor = feedCursor(hasMore ? Number(page[page.length - 1]?.seq) : last);
  // Each line once, at its last change in the page.
  const latest = new Map<string, (typeof page)[number]>();
  for (const row of page) {
    latest.delete(row.lineId);
    latest.set(row.lineId, row);
  }
  // Read after the changes: a line is never older than its change here.
  const lines = new Map(
    (await db.line.findMany({ where: { accountId: actor.accountId, id: { in: [...latest.keys()] } } })).map(
      (line) => [line.id, line],
    ),
  );
  const changes: FeedChange[] = [];
  for (const row of latest.values()) {
    const line = lines.get(row.lineId);
    if (!line || !canSeeLine(actor, line)) continue;
    changes.push({ line, kind: row.kind, changedAt: row.changedAt, seq: Number(row.seq) });
  }
  return { ok: true, changes, cursor, hasMore };
}

/**
 * Deletes changes older than the retention and remembers, per account, the
 * highest seq deleted (cursors below it are CURSOR_EXPIRED). The daily job.
 */
export async function pruneLineChanges(db: Db, now: Date, retentionDays: number): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  return db.$transaction(async (tx) => {
    const pruned = await tx.$queryRaw<{ accountId: string; through: number; deleted: number }[]>`
      WITH "gone" AS (
        DELETE FROM "LineChange" WHERE "changedAt" < ${cutoff} RETURNING "accountId", "seq"
      )
      SELECT "accountId"::text AS "accountId", max("seq")::int AS "through", count(*)::int AS "deleted"
      FROM "gone" GROUP BY "accountId"`;
    for (const p of pruned) {
      await tx.$executeRaw`
        UPDATE "LineChangeCounter" SET "prunedThrough" = GREATEST("prunedThrough", ${p.through}::int)
        WHERE "accountId" = ${p.accountId}::uuid`;
    }
    return pruned.reduce((sum, p) => sum + Number(p.deleted), 0);
  });
}
