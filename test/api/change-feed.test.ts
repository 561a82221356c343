// The change feed (issue 18 point 2): lineChanges(after, first) as an MDM tool
// uses it to keep a copy of the line list, across a batch, mail, 手動更新 and a
// cancellation; under concurrent writers; with an expired cursor; for GROUP
// administrators; and its bounds.
// Scenario: changeFeedScenario.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../domain/auth/actor.ts";
import { changeFeedMessages } from "../../domain/messages.ts";
import {
  changesOf,
  pruneLineChanges,
  readLineChanges,
  recordLineChanges,
} from "../../services/change-feed.ts";
import { changeFeedScenario, FEED_NOW } from "../scenarios/change-feed.scenarios.ts";
import type { Seeded } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { usingPostgres } from "../support/database.ts";
import { graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { waitForFinalReceiptOverApi } from "../support/wait.ts";

const env = { FAKE_NOW: FEED_NOW, CARRIER_LATENCY_MS: "0", CARRIER_FAILURE_RATE: "0" };

const LINE_FIELDS =
  "id version status backup phonebookMigration contractStatus name phoneNumber lastAppDownloadMailAt";
const FEED = /* GraphQL */ `
  query ($after: String, $first: Int) {
    lineChanges(after: $after, first: $first) {
      changes { line { ${LINE_FIELDS} } kind changedAt }
      cursor
      hasMore
    }
  }`;
const LINES = /* GraphQL */ `
  query ($after: String) {
    lines(first: 200, after: $after) { edges { node { ${LINE_FIELDS} } } pageInfo { hasNextPage endCursor } }
  }`;

type LineState = Record<string, unknown> & { id: string };
interface Change {
  line: LineState;
  kind: string;
  changedAt: string;
}

async function feed(url: string, token: string, after: string | null, first?: number) {
  const result = await graphql(url, FEED, { after, ...(first === undefined ? {} : { first }) }, token);
  if (!result.data?.lineChanges) throw new Error(`lineChanges failed: ${JSON.stringify(result)}`);
  return result.data.lineChanges as { changes: Change[]; cursor: string; hasMore: boolean };
}

/** What a client does: pull pages until hasMore is false; returns every change and the cursor to keep. */
async function pullAll(url: string, token: string, cursor: string, first = 2) {
  const changes: Change[] = [];
  let pages = 0;
  for (;;) {
    const page = await feed(url, token, cursor, first);
    pages++;
    changes.push(...page.changes);
    cursor = page.cursor;
    if (!page.hasMore) return { changes, cursor, pages };
  }
}

async function fullList(url: string, token: string): Promise<Map<string, LineState>> {
  const all = new Map<string, LineState>();
  let after: string | null = null;
  for (;;) {
    const result: any = await graphql(url, LINES, { after }, token);
    for (const edge of result.data.lines.edges) all.set(edge.node.id, edge.node);
    if (!result.data.lines.pageInfo.hasNextPage) return all;
    after = result.data.lines.pageInfo.endCursor;
  }
}

const sorted = (m: Map<string, LineState>) => [...m.values()].sort((a, b) => a.id.localeCompare(b.id));

describe("lineChanges: the change feed", () => {
  let server: RunningApp;
  let data: Seeded<keyof typeof changeFeedScenario.account.lines>;
  let manager: string;
  beforeAll(async () => {
    const started = await startScenarioApp(changeFeedScenario, env);
    server = started;
    data = started.data;
    manager = await loginAs(server.graphqlUrl, "Manager@admin");
  });
  afterAll(() => server.stop());

  it("after: null starts from now: no changes and a cursor; nothing changed: the same cursor again", async () => {
    const start = await feed(server.graphqlUrl, manager, null);
    expect(start.changes).toEqual([]);
    expect(start.hasMore).toBe(false);
    expect(start.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const again = await feed(server.graphqlUrl, manager, start.cursor);
    expect(again).toEqual({ changes: [], cursor: start.cursor, hasMore: false });
  });

  it("a client that syncs across a batch, mail, 手動更新 and a cancellation ends with exactly the full list", async () => {
    const url = server.graphqlUrl;
    const { lines } = data;
    // The documented start: the cursor first, then the full list.
    const start = await feed(url, manager, null);
    const mirror = await fullList(url, manager);
    expect(mirror.size).toBe(10);

    const batch = await submitPermissionChange(url, manager, [
      lines.sales1.id,
      lines.sales2.id,
      lines.dev1.id,
    ]);
    await waitForFinalReceiptOverApi(url, manager, batch.number);
    const mail: any = await graphql(
      url,
      "mutation ($input: SendMailInput!) { sendAppDownloadMail(input: $input) { receipt { number } userErrors { code } } }",
      { input: { lineIds: [lines.sales3.id, lines.dev2.id] } },
      manager,
    );
    expect(mail.data.sendAppDownloadMail.userErrors).toEqual([]);
    await waitForFinalReceiptOverApi(url, manager, mail.data.sendAppDownloadMail.receipt.number);
    // The carrier cancels one contract and renames a holder; 手動更新 also lists today's new line.
    const prisma = server.app.database.prisma;
    await prisma.carrierLine.update({
      where: { phoneNumber: lines.sales4.phoneNumber },
      data: { contractStatus: "CANCELLED" },
    });
    await prisma.carrierLine.update({
      where: { phoneNumber: lines.dev3.phoneNumber },
      data: { name: "改名 花子" },
    });
    const refreshed: any = await graphql(url, "mutation { refreshLines { added updated } }", {}, manager);
    expect(refreshed.data.refreshLines).toEqual({ added: 1, updated: 2 });

    const pulled = await pullAll(url, manager, start.cursor, 2);
    expect(pulled.pages).toBeGreaterThan(1);
    const lastKind = new Map<string, string>();
    for (const change of pulled.changes) {
      mirror.set(change.line.id, change.line);
      lastKind.set(change.line.id, change.kind);
    }
    const full = await fullList(url, manager);
    expect(full.size).toBe(11);
    expect(sorted(mirror)).toEqual(sorted(full));
    // Only what changed came, never the whole list again.
    const newLine = [...full.values()].find((l) => l.phoneNumber === lines.addedToday.phoneNumber);
    expect(Object.fromEntries(lastKind)).toEqual({
      [lines.sales1.id]: "FLAGS_CHANGED",
      [lines.sales2.id]: "FLAGS_CHANGED",
      [lines.dev1.id]: "FLAGS_CHANGED",
      [lines.sales3.id]: "UPDATED",
      [lines.dev2.id]: "UPDATED",
      [lines.sales4.id]: "CANCELLED",
      [lines.dev3.id]: "UPDATED",
      [newLine?.id as string]: "LISTED",
    });
    expect(full.get(lines.sales4.id)?.contractStatus).toBe("CANCELLED");
    expect(full.get(lines.dev3.id)?.name).toBe("改名 花子");
    // Nothing more: the same cursor back.
    expect(await feed(url, manager, pulled.cursor)).toEqual({
      changes: [],
      cursor: pulled.cursor,
      hasMore: false,
    });
  });

  it("never misses a change under concurrent writers: every logged change is in the page whose range holds it", async () => {
    const db = server.app.database.prisma;
    const actor: Actor = {
      kind: "admin",
      accountId: data.accountId,
      adminId: "00000000-0000-0000-0000-000000000001",
      sessionId: "s",
      role: "MAIN",
      name: "reader",
      loginId: "reader",
      groupIds: [],
    };
    const start = await readLineChanges(db, actor, { after: null, first: 5 });
    if (!start.ok) throw new Error("no start cursor");
    const ids = Object.values(data.lines)
      .filter((l) => l.listed)
      .map((l) => l.rawId);
    // 40 writers at once, each changing a line and recording it in its own
    // transaction (on PostgreSQL they overlap; the counter row orders them).
    const writers = Array.from({ length: 40 }, (_, i) =>
      db.$transaction(async (tx) => {
        const lineId = ids[i % ids.length] as string;
        await tx.line.update({ where: { id: lineId }, data: { version: { increment: 1 } } });
        await recordLineChanges(tx, data.accountId, changesOf([lineId], "UPDATED"), new Date());
        if (usingPostgres) await tx.$executeRaw`SELECT pg_sleep(${(i % 5) / 200})`;
      }),
    );
    let writing = true;
    const done = Promise.all(writers).finally(() => {
      writing = false;
    });
    // The reader pages while they write, and on until nothing is left.
    const pages: { after: number; through: number; lineIds: Set<string> }[] = [];
    let cursor = start.cursor;
    const seqOf = (c: string) => Number(Buffer.from(c, "base64url").toString().split(":")[1]);
    for (;;) {
      const stillWriting = writing;
      const page = await readLineChanges(db, actor, { after: cursor, first: 5 });
      if (!page.ok) throw new Error(page.code);
      pages.push({
        after: seqOf(cursor),
        through: seqOf(page.cursor),
        lineIds: new Set(page.changes.map((c) => c.line.id)),
      });
      cursor = page.cursor;
      if (!stillWriting && !page.hasMore) break;
      if (!page.hasMore) await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    const logged = await db.lineChange.findMany({
      where: { accountId: data.accountId, seq: { gt: seqOf(start.cursor) } },
      orderBy: { seq: "asc" },
    });
    expect(logged).toHaveLength(40);
    expect(logged.map((r) => r.seq)).toEqual(logged.map((_, i) => seqOf(start.cursor) + i + 1));
    const missed = logged.filter((row) => {
      const page = pages.find((p) => row.seq > p.after && row.seq <= p.through);
      return !page?.lineIds.has(row.lineId);
    });
    expect(missed).toEqual([]);
  });

  it("an expired cursor is CURSOR_EXPIRED with how to resync; a cursor inside the retention still works", async () => {
    const db = server.app.database.prisma;
    const now = server.app.clock.now();
    const old = new Date(now.getTime() - 31 * 86_400_000);
    const before = await feed(server.graphqlUrl, manager, null);
    await db.$transaction((tx) =>
      recordLineChanges(tx, data.accountId, changesOf([data.lines.unchanged.rawId], "UPDATED"), old),
    );
    const kept = (await pullAll(server.graphqlUrl, manager, before.cursor)).cursor;
    await db.$transaction((tx) =>
      recordLineChanges(tx, data.accountId, changesOf([data.lines.dev4.rawId], "UPDATED"), now),
    );
    expect(await pruneLineChanges(db, now, 30)).toBeGreaterThan(0);

    const expired = await graphql(server.graphqlUrl, FEED, { after: before.cursor }, manager);
    expect(expired.data).toBeNull();
    expect(expired.errors).toEqual([
      expect.objectContaining({
        message: changeFeedMessages.CURSOR_EXPIRED,
        extensions: {
          code: "CURSOR_EXPIRED",
          retentionDays: 30,
          resync: [
            "lineChanges(after: null)",
            "lines (every page)",
            "lineChanges(after: <cursor of step 1>)",
          ],
        },
      }),
    ]);
    const still = await feed(server.graphqlUrl, manager, kept);
    expect(still.changes.map((c) => [c.line.id, c.kind])).toEqual([[data.lines.dev4.id, "UPDATED"]]);
  });

  it("GROUP administrators get only their groups' lines; another account's feed has none of them", async () => {
    const url = server.graphqlUrl;
    const group = await loginAs(url, "GroupA@admin");
    const other = await loginAs(url, "OtherFeed@admin");
    const groupStart = await feed(url, group, null);
    const managerStart = await feed(url, manager, null);
    const otherStart = await feed(url, other, null);
    const batch = await submitPermissionChange(url, manager, [data.lines.sales5.id, data.lines.dev4.id]);
    await waitForFinalReceiptOverApi(url, manager, batch.number);

    const seenBy = async (token: string, cursor: string) =>
      [...new Set((await pullAll(url, token, cursor)).changes.map((c) => c.line.id))].sort();
    expect(await seenBy(group, groupStart.cursor)).toEqual([data.lines.sales5.id]);
    expect(await seenBy(manager, managerStart.cursor)).toEqual(
      [data.lines.sales5.id, data.lines.dev4.id].sort(),
    );
    expect(await seenBy(other, otherStart.cursor)).toEqual([]);
  });

  it("bounds: first at most 200, not negative; a foreign or broken cursor is BAD_USER_INPUT; READ_LINES is needed", async () => {
    const url = server.graphqlUrl;
    const { cursor } = await feed(url, manager, null);
    const codeOf = async (variables: Record<string, unknown>, token?: string) => {
      const result = await graphql(url, FEED, variables, token);
      const error = result.errors?.[0] as { extensions?: { code?: string; reason?: string } } | undefined;
      return [error?.extensions?.code, error?.extensions?.reason];
    };
    expect(await codeOf({ after: cursor, first: 201 }, manager)).toEqual([
      "BAD_USER_INPUT",
      "PAGE_TOO_LARGE",
    ]);
    expect(await codeOf({ after: cursor, first: -1 }, manager)).toEqual([
      "BAD_USER_INPUT",
      "NEGATIVE_PAGE_SIZE",
    ]);
    expect(await codeOf({ after: "not-a-cursor" }, manager)).toEqual(["BAD_USER_INPUT", "INVALID_CURSOR"]);
    // A cursor past the account's last change (e.g. another account's) is not accepted either.
    const beyond = Buffer.from("lc1:999999").toString("base64url");
    expect(await codeOf({ after: beyond }, manager)).toEqual(["BAD_USER_INPUT", "INVALID_CURSOR"]);
    expect(await codeOf({ after: "x".repeat(65) }, manager)).toEqual(["BAD_USER_INPUT", "TEXT_TOO_LONG"]);
    expect((await feed(url, manager, cursor, 200)).cursor).toBe(cursor);
    expect(await codeOf({ after: null })).toEqual(["UNAUTHENTICATED", undefined]);
    const created: any = await graphql(
      url,
      'mutation { createApiToken(input: {name: "receipts only", scopes: [READ_RECEIPTS]}) { token } }',
      {},
      manager,
    );
    expect(await codeOf({ after: null }, created.data.createApiToken.token)).toEqual([
      "FORBIDDEN",
      undefined,
    ]);
  });
});
