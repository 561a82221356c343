// lineStatusChanged: administrators watch lines change without reloading.
// Scenario: realtimeScenario (three watched lines in 開発部, two unwatched in 総務部, one each in 営業部 and 経理部).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realtimeScenario } from "../scenarios/realtime.scenarios.ts";
import type { Seeded, SeededLine } from "../scenarios/scenario.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { collect, wsClient } from "../support/subscriptions.ts";
import { waitUntil } from "../support/wait.ts";

const WATCH = /* GraphQL */ `
  subscription ($groupId: ID, $lineIds: [ID!]) {
    lineStatusChanged(groupId: $groupId, lineIds: $lineIds) { id status backup phonebookMigration version group { name } }
  }`;

let server: RunningApp;
let lines: Seeded<keyof typeof realtimeScenario.account.lines>["lines"];
let manager: string;
beforeAll(async () => {
  const started = await startScenarioApp(realtimeScenario, {
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "20",
    CARRIER_FAILURE_RATE: "0",
  });
  server = started;
  lines = started.data.lines;
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

/** A line's version as the API shows it now. */
async function versionOf(line: SeededLine): Promise<number> {
  const result: any = await graphql(
    server.graphqlUrl,
    "query ($id: ID!) { node(id: $id) { ... on Line { version } } }",
    { id: line.id },
    manager,
  );
  return result.data.node.version;
}

describe("lineStatusChanged", () => {
  it("pushes each watched line going PROCESSING and back IN_SERVICE with its new flags and version", async () => {
    const watched = await Promise.all(
      [lines.watched1, lines.watched2, lines.watched3].map(async (line) => ({
        ...line,
        version: await versionOf(line),
      })),
    );
    const client = wsClient(server.wsUrl, manager);
    // The batch's other two lines, watched apart: the test ends only once their
    // changes have been delivered too, so none reaches the next test's watcher.
    const rest = wsClient(server.wsUrl, manager);
    try {
      const updates = collect<any>(client, WATCH, { lineIds: watched.map((l) => l.id) }, { stopAfter: 6 });
      const others = collect<any>(
        rest,
        WATCH,
        { lineIds: [lines.unwatched1.id, lines.unwatched2.id] },
        { stopAfter: 4 },
      );
      await listening(2);
      await graphql(
        server.graphqlUrl,
        "mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { userErrors { code } } }",
        {
          input: {
            lines: [...watched, lines.unwatched1, lines.unwatched2].map((l) => ({
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
      expect((await others).events.map((e) => e.lineStatusChanged.status).sort()).toEqual([
        "IN_SERVICE",
        "IN_SERVICE",
        "PROCESSING",
        "PROCESSING",
      ]);
    } finally {
      await client.dispose();
      await rest.dispose();
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
      await graphql(
        server.graphqlUrl,
        "mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { userErrors { code } } }",
        {
          input: {
            // 営業部 is GroupA@admin's; 経理部 is not.
            lines: [lines.sales, lines.accounting].map((l) => ({
              lineId: l.id,
              backup: true,
              phonebookMigration: true,
            })),
          },
        },
        manager,
      );
      const { events } = await heard;
      expect(events.map((e) => e.lineStatusChanged.id)).toEqual([lines.sales.id, lines.sales.id]);
    } finally {
      await client.dispose();
    }
  });
});
