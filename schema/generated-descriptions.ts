// The one generated field no plugin option describes: prismaConnection's
// `totalCount`. Its description is set on the built schema, before anything
// serves or prints it (test/schema/descriptions.test.ts keeps coverage whole).
import { type GraphQLSchema, isObjectType } from "graphql";

const TOTAL_COUNT =
  "How many results the whole connection holds (every page, the same filter); counted only when asked for.";

export function describeGeneratedFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !type.name.endsWith("Connection")) continue;
    const totalCount = type.getFields().totalCount;
    if (totalCount && !totalCount.description) totalCount.description = TOTAL_COUNT;
  }
  return schema;
}
