// Checks that read the operation a request is about to run (its document and
// variables, before any resolver or database work), shared by the paging and
// input-hygiene plugins: one walk over the operation and its fragments with
// type information, variables coerced once, and one way to refuse it, over
// HTTP, SSE and WebSocket alike.
import {
  type ASTVisitor,
  BREAK,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLField,
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

export type OperationCheck = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
) => GraphQLError | null;

export interface Walk {
  typeInfo: TypeInfo;
  /** The coerced variables, computed on first use; null when they do not coerce (execution reports that itself). */
  variables(): Record<string, unknown> | null;
  /** Stops the walk with this error. */
  fail(error: GraphQLError): typeof BREAK;
}

/** Visits the operation that runs, with its fragments, and returns the first error `fail` was given. */
export function walkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  visitor: (walk: Walk) => ASTVisitor,
): GraphQLError | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  let coerced: Record<string, unknown> | null | undefined;
  let error: GraphQLError | null = null;
  const typeInfo = new TypeInfo(schema);
  const walk: Walk = {
    typeInfo,
    variables() {
      if (coerced === undefined) {
        const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
        coerced = result.errors ? null : result.coerced;
      }
      return coerced;
    },
    fail(found) {
      error = found;
      return BREAK;
    },
  };
  const definitions = document.definitions.filter(
    (definition) => definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION,
  );
  visit({ ...document, definitions }, visitWithTypeInfo(typeInfo, visitor(walk)));
  return error;
}

/** A field's arguments as execution will read them; null where execution will refuse them itself. */
export function fieldArguments(
  // biome-ignore lint/suspicious/noExplicitAny: any field of any type
  field: GraphQLField<any, any>,
  node: FieldNode,
  variables: Record<string, unknown>,
): Record<string, unknown> | null {
  try {
    return getArgumentValues(field, node, variables);
  } catch {
    return null;
  }
}

/** Refuses an operation (query, mutation or subscription) that `check` finds fault with, before it runs. */
export function refuseBeforeRunning(check: OperationCheck): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args.schema, args.document, args.operationName, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args.schema, args.document, args.operationName, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
