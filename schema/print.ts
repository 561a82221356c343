// npm run schema:print — writes schema.graphql, the contract integrators read.
import { writeFileSync } from "node:fs";
import { printSchemaFile, schemaFilePath } from "./printed.ts";

writeFileSync(schemaFilePath, printSchemaFile());
console.log(`Wrote ${schemaFilePath}`);
