import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { printSchemaFile, schemaFilePath } from "../../schema/printed.ts";

describe("schema.graphql", () => {
  it("is the schema the server builds (run `npm run schema:print` after changing it)", () => {
    expect(readFileSync(schemaFilePath, "utf8")).toBe(printSchemaFile());
  });
});
