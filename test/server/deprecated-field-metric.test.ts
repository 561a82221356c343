// graphql_envelop_deprecated_field (README "Metrics and tracing"): counted by
// our own plugin, which finds a document's deprecated fields once instead of
// walking it on every request (server/metrics.ts). The gateway's schema has no
// deprecated field yet, so this runs the metrics plugin on a small schema that has.
import { createSchema, createYoga } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../lib/logger.ts";
import { createMetrics } from "../../server/metrics.ts";

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query {
      current: String
      old: String @deprecated(reason: "Use current.")
      search(text: String, legacy: String @deprecated(reason: "Use text.")): String
    }
  `,
  resolvers: { Query: { current: () => "c", old: () => "o", search: () => "s" } },
});

async function deprecatedUses(operations: { query: string; operationName?: string }[]) {
  const metrics = createMetrics({ logger: createLogger("silent") });
  const yoga = createYoga({ schema, plugins: [metrics.yogaPlugin()], logging: false });
  try {
    for (const body of operations) {
      const response = await yoga.fetch("http://test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect((await response.json()).errors).toBeUndefined();
    }
    const metric = await metrics.registry.getSingleMetric("graphql_envelop_deprecated_field")?.get();
    return (metric?.values ?? []).map(({ labels, value }) => ({ ...labels, value }));
  } finally {
    await metrics.close();
  }
}

describe("graphql_envelop_deprecated_field", () => {
  it("counts each use of a deprecated field or argument, per request, by operation", async () => {
    const uses = await deprecatedUses([
      { query: "query Old { old current }" },
      { query: "query Old { old current }" },
      { query: 'query Search { search(legacy: "x") }' },
      { query: '{ current search(text: "y") }' },
    ]);
    expect(uses).toEqual(
      expect.arrayContaining([
        { operationName: "Old", operationType: "query", fieldName: "old", typeName: "Query", value: 2 },
        {
          operationName: "Search",
          operationType: "query",
          fieldName: "legacy",
          typeName: "search",
          value: 1,
        },
      ]),
    );
    expect(uses).toHaveLength(2);
  });
});
