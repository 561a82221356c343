// Typed documents for the web client, from the committed
// schema.graphql (npm run codegen).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["web/src/**/*.{ts,tsx}", "!web/src/gql/**/*"],
  ignoreNoDocuments: true,
  // Imports with extensions, so Node (tests) and Vite both resolve them.
  emitLegacyCommonJSImports: false,
  generates: {
    "web/src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: "string", Date: "string" },
      },
    },
  },
};

export default config;
