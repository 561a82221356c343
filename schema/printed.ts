import path from "node:path";
import { fileURLToPath } from "node:url";
import { lexicographicSortSchema, printSchema } from "graphql";
import { schema } from "./index.ts";

export const schemaFilePath = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "schema.graphql");

export function printSchemaFile(): string {
  return `# Printed from the Pothos schema by \`npm run schema:print\`; do not edit.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}
