// Baseline for throughput: a bare graphql-yoga hello-world server (default
// options, no plugins, no database) on the same machine, in its own process.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createSchema, createYoga } from "graphql-yoga";
import { serve } from "./ipc.ts";

const yoga = createYoga({
  schema: createSchema({
    typeDefs: "type Query { hello: String! }",
    resolvers: { Query: { hello: () => "world" } },
  }),
  graphqlEndpoint: "/graphql",
  landingPage: false,
});
const server = createServer(yoga);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;

serve(
  {
    stop() {
      server.closeAllConnections();
      server.close();
      setTimeout(() => process.exit(0), 50);
    },
  },
  { url: `http://127.0.0.1:${port}/graphql` },
);
