// Input shapes are validated by Pothos's validation plugin with zod schemas
// declared on arguments and input fields, before the resolver (and any
// database work) runs. Bounds on sizes come earlier, for every argument, from
// schema/input-bounds.ts; rules that depend on data are the services'.
import type { StandardSchemaV1 } from "@pothos/plugin-validation";
import { GraphQLError } from "graphql";

/** A refused input as BAD_USER_INPUT, with the schema's message and the input field it is about. */
export function validationFailure(result: StandardSchemaV1.FailureResult): GraphQLError {
  const [issue] = result.issues;
  const path = (issue?.path ?? []).map((segment) =>
    typeof segment === "object" ? String(segment.key) : String(segment),
  );
  const field = path.filter((segment) => !/^\d+$/.test(segment)).at(-1);
  // A refinement may name why (zod's `params`, e.g. DATE_RANGE_REVERSED in schema/date-range.ts).
  const reason = (issue as { params?: { reason?: unknown } } | undefined)?.params?.reason;
  return new GraphQLError(issue?.message ?? "Invalid input", {
    extensions: {
      code: "BAD_USER_INPUT",
      ...(field ? { field } : {}),
      ...(typeof reason === "string" ? { reason } : {}),
    },
  });
}
