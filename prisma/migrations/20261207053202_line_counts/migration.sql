-- CreateTable
CREATE TABLE "LineCount" (
    "id" BIGSERIAL NOT NULL,
    "accountId" UUID NOT NULL,
    "groupId" UUID,
    "status" "LineStatus" NOT NULL,
    "deviceKind" "DeviceKind" NOT NULL,
    "contractStatus" "ContractStatus" NOT NULL,
    "appDownloadMailSent" BOOLEAN NOT NULL,
    "lines" INTEGER NOT NULL,

    CONSTRAINT "LineCount_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LineCount_accountId_groupId_idx" ON "LineCount"("accountId", "groupId");

-- Exact line counts that do not grow with the account (totalCount,
-- services/line-counts.ts). Statement-level triggers on "Line" keep
-- "LineCount" in the transaction of every change to a line, whatever writes
-- it: Prisma, raw SQL, the seed's bulk inserts, and the cascades from
-- "Account" (delete) and "Group" (SET NULL). One statement of the trigger per
-- statement on "Line", however many rows it touched.
--
-- Writers never wait for one another here. A statement adds its net change
-- per combination to a row of that combination that no other transaction
-- holds (FOR UPDATE SKIP LOCKED), folding into it any other such row of the
-- combination; when every row of a combination is held, it adds a row of its
-- own, folded later. Upserting one row per combination instead would queue
-- every writer of a combination behind the others until they commit, and
-- deadlock two multi-statement transactions (the roster sync updates line by
-- line) that touch two combinations in opposite orders. The price: while
-- writers overlap, a combination has one row per writer in flight, and
-- readers sum a few more rows. Without contention a change is one UPDATE of
-- "lines" (no indexed column: a HOT update, which PGlite, with no autovacuum,
-- cleans up as it goes); a combination whose count falls to zero is deleted.
--
-- PostgreSQL allows no column list (UPDATE OF ...) on a trigger with
-- transition tables, so the UPDATE trigger runs for every update of lines and
-- stops at its aggregate when no counted column changed (flags, version).

-- Folds one statement's net changes ([{accountId, groupId, status, deviceKind,
-- contractStatus, appDownloadMailSent, lines}], none zero, one per
-- combination) into the counts. PL/pgSQL keeps its plan between calls.
CREATE FUNCTION "line_counts_add"("changes" JSONB) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  WITH "net" AS (
    -- "group" stands for groupId in comparisons: NULL (no group) compares as a value.
    SELECT *, coalesce("groupId", '00000000-0000-0000-0000-000000000000') AS "group"
    FROM jsonb_to_recordset("changes") AS "c"(
      "accountId" UUID, "groupId" UUID, "status" "LineStatus", "deviceKind" "DeviceKind",
      "contractStatus" "ContractStatus", "appDownloadMailSent" BOOLEAN, "lines" INTEGER)
  ),
  "free" AS MATERIALIZED (
    SELECT "c"."id", "c"."lines", "n"."accountId", "n"."group", "n"."status", "n"."deviceKind",
      "n"."contractStatus", "n"."appDownloadMailSent"
    FROM "LineCount" "c" JOIN "net" "n"
      ON "c"."accountId" = "n"."accountId"
      AND coalesce("c"."groupId", '00000000-0000-0000-0000-000000000000') = "n"."group"
      AND "c"."status" = "n"."status" AND "c"."deviceKind" = "n"."deviceKind"
      AND "c"."contractStatus" = "n"."contractStatus" AND "c"."appDownloadMailSent" = "n"."appDownloadMailSent"
    FOR UPDATE OF "c" SKIP LOCKED
  ),
  "totals" AS MATERIALIZED (
    SELECT "n"."accountId", "n"."groupId", "n"."status", "n"."deviceKind", "n"."contractStatus",
      "n"."appDownloadMailSent", "n"."lines" + coalesce(sum("f"."lines"), 0) AS "total", min("f"."id") AS "kept"
    FROM "net" "n" LEFT JOIN "free" "f"
      ON "f"."accountId" = "n"."accountId" AND "f"."group" = "n"."group" AND "f"."status" = "n"."status"
      AND "f"."deviceKind" = "n"."deviceKind" AND "f"."contractStatus" = "n"."contractStatus"
      AND "f"."appDownloadMailSent" = "n"."appDownloadMailSent"
    GROUP BY "n"."accountId", "n"."groupId", "n"."status", "n"."deviceKind", "n"."contractStatus",
      "n"."appDownloadMailSent", "n"."lines"
  ),
  "updated" AS (
    UPDATE "LineCount" "c" SET "lines" = "t"."total"
    FROM "totals" "t" WHERE "c"."id" = "t"."kept" AND "t"."total" <> 0
  ),
  "deleted" AS (
    DELETE FROM "LineCount" "c" USING "free" "f"
    WHERE "c"."id" = "f"."id"
      AND NOT EXISTS (SELECT FROM "totals" "t" WHERE "t"."kept" = "f"."id" AND "t"."total" <> 0)
  )
  INSERT INTO "LineCount" ("accountId", "groupId", "status", "deviceKind", "contractStatus", "appDownloadMailSent", "lines")
  SELECT "accountId", "groupId", "status", "deviceKind", "contractStatus", "appDownloadMailSent", "total"
  FROM "totals" WHERE "kept" IS NULL AND "total" <> 0;
END $$;

CREATE FUNCTION "line_counts_on_insert"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "line_counts_add"(jsonb_agg("c")) FROM (
    SELECT "accountId", "groupId", "status", "deviceKind", "contractStatus",
      "lastAppDownloadMailAt" IS NOT NULL AS "appDownloadMailSent", count(*) AS "lines"
    FROM "new_lines"
    GROUP BY 1, 2, 3, 4, 5, 6
  ) "c" HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION "line_counts_on_delete"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "line_counts_add"(jsonb_agg("c")) FROM (
    SELECT "accountId", "groupId", "status", "deviceKind", "contractStatus",
      "lastAppDownloadMailAt" IS NOT NULL AS "appDownloadMailSent", -count(*) AS "lines"
    FROM "old_lines"
    GROUP BY 1, 2, 3, 4, 5, 6
  ) "c" HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION "line_counts_on_update"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "line_counts_add"(jsonb_agg("c")) FROM (
    SELECT "accountId", "groupId", "status", "deviceKind", "contractStatus", "appDownloadMailSent",
      sum("lines") AS "lines"
    FROM (
      SELECT "accountId", "groupId", "status", "deviceKind", "contractStatus",
        "lastAppDownloadMailAt" IS NOT NULL AS "appDownloadMailSent", 1 AS "lines"
      FROM "new_lines"
      UNION ALL
      SELECT "accountId", "groupId", "status", "deviceKind", "contractStatus",
        "lastAppDownloadMailAt" IS NOT NULL, -1
      FROM "old_lines"
    ) "moved"
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum("lines") <> 0
  ) "c" HAVING count(*) > 0;
  RETURN NULL;
END $$;

-- TRUNCATE "Line" (or of "Account" with CASCADE) leaves no line to count.
CREATE FUNCTION "line_counts_on_truncate"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "LineCount";
  RETURN NULL;
END $$;

-- The triggers first: CREATE TRIGGER locks "Line" against writers until this
-- migration commits, so the backfill below counts exactly the lines that the
-- triggers do not.
CREATE TRIGGER "line_counts_insert" AFTER INSERT ON "Line"
  REFERENCING NEW TABLE AS "new_lines" FOR EACH STATEMENT EXECUTE FUNCTION "line_counts_on_insert"();
CREATE TRIGGER "line_counts_update" AFTER UPDATE ON "Line"
  REFERENCING OLD TABLE AS "old_lines" NEW TABLE AS "new_lines"
  FOR EACH STATEMENT EXECUTE FUNCTION "line_counts_on_update"();
CREATE TRIGGER "line_counts_delete" AFTER DELETE ON "Line"
  REFERENCING OLD TABLE AS "old_lines" FOR EACH STATEMENT EXECUTE FUNCTION "line_counts_on_delete"();
CREATE TRIGGER "line_counts_truncate" AFTER TRUNCATE ON "Line"
  FOR EACH STATEMENT EXECUTE FUNCTION "line_counts_on_truncate"();

INSERT INTO "LineCount" ("accountId", "groupId", "status", "deviceKind", "contractStatus", "appDownloadMailSent", "lines")
SELECT "accountId", "groupId", "status", "deviceKind", "contractStatus", "lastAppDownloadMailAt" IS NOT NULL, count(*)
FROM "Line"
GROUP BY 1, 2, 3, 4, 5, 6;
