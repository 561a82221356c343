// Paging arguments of every list (Relay connections and anything else that
// takes `first`/`last`), checked once per operation before anything runs.
// Pothos reads them while the parent's query is planned (a receipt's `items`
// page is part of the `receipt` query), so a check in a connection's own
// resolver would come too late, and Pothos itself clamps sizes silently,
// pages `first` + `last` from the end, and throws uncoded errors for the rest.
import {
  BREAK,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { type PagingErrorCode, pagingErrorMessages } from "../domain/messages.ts";

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
export function pagingArgumentsError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): GraphQLError | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  // Variables that do not coerce are execution's to report, with its own error.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return null;
  const typeInfo = new TypeInfo(schema);
  let error: GraphQLError | null = null;
  const definitions = document.definitions.filter(
    (definition) => definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION,
  );
  visit(
    { ...document, definitions },
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const field = typeInfo.getFieldDef();
        if (!field?.args.some((arg) => arg.name === "first" || arg.name === "last")) return;
        let args: Record<string, unknown>;
        try {
          args = getArgumentValues(field, node, coerced.coerced);
        } catch {
          return; // an argument execution will refuse anyway
        }
        const problem = pagingProblem(args);
        if (!problem) return;
        error = new GraphQLError(pagingErrorMessages[problem], {
          nodes: node,
          extensions: { code: "BAD_USER_INPUT", reason: problem },
        });
        return BREAK;
      },
    }),
  );
  return error;
}

/** Refuses an operation (query, mutation or subscription) with bad paging arguments before it runs. */
export function usePagingArguments(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = pagingArgumentsError(args.schema, args.document, args.operationName, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = pagingArgumentsError(args.schema, args.document, args.operationName, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
