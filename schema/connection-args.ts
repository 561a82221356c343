// Paging arguments of every list (Relay connections and anything else that
// takes `first`/`last`), checked once per operation before anything runs.
// Pothos reads them while the parent's query is planned (a receipt's `items`
// page is part of the `receipt` query), so a check in a connection's own
// resolver would come too late, and Pothos itself clamps sizes silently,
// pages `first` + `last` from the end, and throws uncoded errors for the rest.
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { type PagingErrorCode, pagingErrorMessages } from "../domain/messages.ts";
import {
  fieldArguments,
  type OperationCheck,
  readOperation,
  refuseBeforeRunning,
} from "./operation-checks.ts";

/** The largest page any list returns (SPEC: pages of at most 200). */
export const PAGE_LIMIT = 200;

/**
 * What is wrong with one field's paging arguments. Relay allows `first` and
 * `last` together (first, then last); we refuse every mix of the forward
 * (`first`, `after`) and backward (`last`, `before`) arguments instead, so
 * every list pages the same two ways.
 */
export function pagingProblem(args: {
  first?: unknown;
  last?: unknown;
  after?: unknown;
  before?: unknown;
}): PagingErrorCode | null {
  for (const size of [args.first, args.last]) {
    if (typeof size !== "number") continue;
    if (size < 0) return "NEGATIVE_PAGE_SIZE";
    if (size > PAGE_LIMIT) return "PAGE_TOO_LARGE";
  }
  const forward = args.first != null || args.after != null;
  const backward = args.last != null || args.before != null;
  return forward && backward ? "MIXED_DIRECTIONS" : null;
}

/** The first list field of the operation whose paging arguments are refused, as a coded error. */
export const pagingArgumentsError: OperationCheck = (schema, document, operationName, variables) => {
  const operation = readOperation(schema, document, operationName, variables);
  if (!operation) return null;
  for (const step of operation.steps) {
    if (step.kind !== "field") continue;
    const { field, node } = step;
    if (!field.args.some((arg) => arg.name === "first" || arg.name === "last")) continue;
    const values = operation.variables();
    const args = values && fieldArguments(field, node, values);
    const problem = args && pagingProblem(args);
    if (!problem) continue;
    return new GraphQLError(pagingErrorMessages[problem], {
      nodes: node,
      extensions: { code: "BAD_USER_INPUT", reason: problem },
    });
  }
  return null;
};

/** Refuses an operation (query, mutation or subscription) with bad paging arguments before it runs. */
export const usePagingArguments = (): Plugin => refuseBeforeRunning(pagingArgumentsError);
