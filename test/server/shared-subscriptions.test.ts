// A marked event is executed once for every subscriber who would get the same
// result, and separately for those who would not.
import { createSchema, createYoga } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import type { Actor } from "../../domain/auth/actor.ts";
import { sharedEvent } from "../../lib/shared-event.ts";
import { useSharedSubscriptionResults } from "../../server/shared-subscriptions.ts";

const admin = (accountId: string, role: "MAIN" | "SUB" | "GROUP" = "MAIN", adminId = "a1"): Actor => ({
  kind: "admin",
  accountId,
  adminId,
  sessionId: `s-${adminId}`,
  role,
  name: adminId,
  loginId: adminId,
  groupIds: [],
});

function setup(options: { mark: boolean }) {
  const calls: string[] = [];
  const events = [1, 2, 3];
  const schema = createSchema<{ actor: Actor }>({
    typeDefs: /* GraphQL */ `
      type Query { ok: Boolean }
      type Event { seq: Int!, label(prefix: String): String!, account: String! }
      type Subscription { ticks(from: Int): Event! }
    `,
    resolvers: {
      Subscription: {
        ticks: {
          subscribe: async function* (_root, args: { from?: number }) {
            for (const seq of events) {
              if (seq < (args.from ?? 0)) continue;
              const event = { seq };
              yield options.mark ? sharedEvent(event, `tick:${seq}`) : event;
            }
          },
          resolve: (event: { seq: number }) => event,
        },
      },
      Event: {
        label: (event: { seq: number }, args: { prefix?: string }, ctx: { actor: Actor }) => {
          calls.push(`${ctx.actor.accountId}:${event.seq}`);
          return `${args.prefix ?? ""}${event.seq}`;
        },
        account: (_event: unknown, _args: unknown, ctx: { actor: Actor }) => ctx.actor.accountId,
      },
    },
  });
  const yoga = createYoga<{ actor: Actor }>({ schema, plugins: [useSharedSubscriptionResults()] });
  async function watch(actor: Actor, query: string, variables: Record<string, unknown> = {}) {
    const { parse, subscribe, contextFactory, schema: s } = yoga.getEnveloped({ actor });
    const stream = (await subscribe({
      schema: s,
      document: parse(query),
      variableValues: variables,
      contextValue: await contextFactory(),
    })) as AsyncIterable<{ data?: { ticks: Record<string, unknown> }; errors?: unknown[] }>;
    const received = [];
    for await (const result of stream) received.push(result.data?.ticks ?? result.errors);
    return received;
  }
  return { calls, watch };
}

const query =
  "subscription($from: Int, $prefix: String) { ticks(from: $from) { seq label(prefix: $prefix) account } }";

describe("shared subscription results", () => {
  it("executes a marked event once for five watchers with the same view, and each gets every event", async () => {
    const { calls, watch } = setup({ mark: true });
    const froms = [0, 0, 1, 2, 2];
    const streams = await Promise.all(
      froms.map((from) => watch(admin("acc-1"), query, { from, prefix: "#" })),
    );
    const all = [
      { seq: 1, label: "#1", account: "acc-1" },
      { seq: 2, label: "#2", account: "acc-1" },
      { seq: 3, label: "#3", account: "acc-1" },
    ];
    streams.forEach((received, i) => {
      expect(received).toEqual(all.filter((e) => e.seq >= (froms[i] ?? 0)));
    });
    // The stream's own argument (from) does not split the sharing.
    expect(calls.sort()).toEqual(["acc-1:1", "acc-1:2", "acc-1:3"]);
  });

  it("does not share between accounts, GROUP administrators or variables the selection uses", async () => {
    const { calls, watch } = setup({ mark: true });
    const [a, b, group1, group2, other] = await Promise.all([
      watch(admin("acc-1"), query, { prefix: "#" }),
      watch(admin("acc-2"), query, { prefix: "#" }),
      watch(admin("acc-1", "GROUP", "g1"), query, { prefix: "#" }),
      watch(admin("acc-1", "GROUP", "g2"), query, { prefix: "#" }),
      watch(admin("acc-1"), query, { prefix: "No." }),
    ]);
    expect(a.map((e) => (e as { account: string }).account)).toEqual(["acc-1", "acc-1", "acc-1"]);
    expect(b.map((e) => (e as { account: string }).account)).toEqual(["acc-2", "acc-2", "acc-2"]);
    expect(group1).toEqual(a);
    expect(group2).toEqual(a);
    expect(other.map((e) => (e as { label: string }).label)).toEqual(["No.1", "No.2", "No.3"]);
    // Five distinct views × three events.
    expect(calls).toHaveLength(15);
  });

  it("executes unmarked events per watcher, as GraphQL does", async () => {
    const { calls, watch } = setup({ mark: false });
    await Promise.all([watch(admin("acc-1"), query), watch(admin("acc-1"), query)]);
    expect(calls).toHaveLength(6);
  });
});
