// lineStatusChanged: administrators watch lines change without reloading.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { collect, wsClient } from "../support/subscriptions.ts";
import { waitUntil } from "../support/wait.ts";

const WATCH = /* GraphQL */ `
  subscription ($groupId: ID, $lineIds: [ID!]) {
    lineStatusChanged(groupId: $groupId, lineIds: $lineIds) { id status backup phonebookMigration version group { name } }
  }`;

let server: RunningApp;
let manager: string;
beforeAll(async () => {
  server = await startTestApp({
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "20",
    CARRIER_FAILURE_RATE: "0",
  });
  manager = await loginAs(server.graphqlUrl, "Manager@admin");
});
afterAll(() => server.stop());

/** Until the server holds exactly `count` lineStatusChanged subscriptions: a watcher is listening (or gone). */
const listening = (count: number) =>
  waitUntil(
    () => server.app.realtime.subscribers("lines:changed"),
    (n) => n === count,
    { what: `${count} lineStatusChanged subscription(s) on the server` },
  );

async function linesOf(group: string) {
  const result: any = await graphql(
    server.graphqlUrl,
    "{ lines(first: 200, filter: {contractStatus: ACTIVE}) { edges { node { id version group { name } } } } }",
    {},
    manager,
  );
  return result.data.lines.edges.map((e: any) => e.node).filter((l: any) => l.group?.name === group);
}

describe("lineStatusChanged", () => {
  it("pushes each watched line going PROCESSING and back IN_SERVICE with its new flags and version", async () => {
    const watched = (await linesOf("開発部")).slice(0, 3);
    const client = wsClient(server.wsUrl, manager);
    try {
      const updates = collect<any>(
        client,
        WATCH,
        { lineIds: watched.map((l: any) => l.id) },
        { stopAfter: 6 },
      );
      await listening(1);
      await graphql(
        server.graphqlUrl,
        "mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { userErrors { code } } }",
        {
          input: {
            lines: [...watched, ...(await linesOf("総務部")).slice(0, 2)].map((l: any) => ({
              lineId: l.id,
              backup: true,
              phonebookMigration: false,
            })),
          },
        },
        manager,
      );
      const { events, error } = await updates;
      expect(error).toBeUndefined();
      const byLine = (id: string) => events.map((e) => e.lineStatusChanged).filter((l) => l.id === id);
      for (const line of watched) {
        expect(byLine(line.id).map((l) => [l.status, l.version])).toEqual([
          ["PROCESSING", line.version],
          ["IN_SERVICE", line.version + 1],
        ]);
        expect(byLine(line.id).at(-1)).toMatchObject({ backup: true, phonebookMigration: false });
      }
      expect(events.every((e) => e.lineStatusChanged.group.name === "開発部")).toBe(true);
    } finally {
      await client.dispose();
      await listening(0);
    }
  });

  it("a watcher who leaves a quiet stream stops listening at once, not at the next change", async () => {
    const client = wsClient(server.wsUrl, manager);
    const watching = collect<any>(client, WATCH, {}, { timeoutMs: 60_000 });
    await listening(1);
    await client.dispose();
    await listening(0);
    expect((await watching).events).toEqual([]);
  });

  it("a GROUP administrator only hears about the lines of their groups", async () => {
    const groupA = await loginAs(server.graphqlUrl, "GroupA@admin");
    const client = wsClient(server.wsUrl, groupA);
    try {
      const heard = collect<any>(client, WATCH, {}, { stopAfter: 2, timeoutMs: 8_000 });
      await listening(1);
      const sales = (await linesOf("営業部")).slice(10, 11);
      const other = (await linesOf("経理部")).slice(0, 1);
      await graphql(
        server.graphqlUrl,
        "mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { userErrors { code } } }",
        {
          input: {
            lines: [...sales, ...other].map((l: any) => ({
              lineId: l.id,
              backup: true,
              phonebookMigration: true,
            })),
          },
        },
        manager,
      );
      const { events } = await heard;
      expect(events.map((e) => e.lineStatusChanged.id)).toEqual([sales[0].id, sales[0].id]);
    } finally {
      await client.dispose();
    }
  });
});
