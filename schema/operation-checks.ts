// Checks that read the operation a request is about to run (its document and
// variables, before any resolver or database work), shared by the paging and
// input-hygiene plugins: what they read in the document (fields with
// arguments, literal values) found once per document, variables coerced on
// first use, and one way to refuse an operation, over HTTP, SSE and
// WebSocket alike.
import {
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  Kind,
  type ListValueNode,
  type OperationDefinitionNode,
  type StringValueNode,
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

/**
 * What the checks read in an operation, in document order (the operation,
 * then its fragments): each field that takes arguments, with its definition
 * and parent type, and each literal string and list.
 */
export type Step =
  | {
      kind: "field";
      // biome-ignore lint/suspicious/noExplicitAny: any field of any type
      field: GraphQLField<any, any>;
      /** The parent type's name, for schema coordinates (`Query.lines`). */
      parent: string;
      node: FieldNode;
    }
  | { kind: "string"; node: StringValueNode }
  | { kind: "list"; node: ListValueNode };

interface Plan {
  operation: OperationDefinitionNode;
  steps: readonly Step[];
}

export interface ReadOperation {
  steps: readonly Step[];
  /** The coerced variables, computed on first use; null when they do not coerce (execution reports that itself). */
  variables(): Record<string, unknown> | null;
}

// The steps depend on the document alone, and yoga's parse cache hands the
// same DocumentNode to every request with the same text: a repeated
// operation is walked once (the walk with type information was most of
// these checks' cost, bench/README.md "Where the page's time goes"). Kept per schema,
// as field definitions are.
const plans = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Plan | null>>>();

function planOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): Plan | null {
  let byDocument = plans.get(schema);
  if (!byDocument) {
    byDocument = new WeakMap();
    plans.set(schema, byDocument);
  }
  let byName = byDocument.get(document);
  if (!byName) {
    byName = new Map();
    byDocument.set(document, byName);
  }
  const key = operationName ?? "";
  let plan = byName.get(key);
  if (plan === undefined) {
    plan = walk(schema, document, operationName);
    byName.set(key, plan);
  }
  return plan;
}

/** Visits the operation that runs, with its fragments, and lists what the checks read. */
function walk(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined) {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const steps: Step[] = [];
  const typeInfo = new TypeInfo(schema);
  const definitions = document.definitions.filter(
    (definition) => definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION,
  );
  visit(
    { ...document, definitions },
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const field = typeInfo.getFieldDef();
        if (field && field.args.length > 0) {
          steps.push({ kind: "field", field, parent: typeInfo.getParentType()?.name ?? "", node });
        }
      },
      StringValue(node) {
        steps.push({ kind: "string", node });
      },
      ListValue(node) {
        steps.push({ kind: "list", node });
      },
    }),
  );
  return { operation, steps };
}

/** What the checks read in the operation that runs; null when the document has no such operation. */
export function readOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): ReadOperation | null {
  const plan = planOf(schema, document, operationName);
  if (!plan) return null;
  let coerced: Record<string, unknown> | null | undefined;
  return {
    steps: plan.steps,
    variables() {
      if (coerced === undefined) {
        const result = getVariableValues(schema, plan.operation.variableDefinitions ?? [], variables ?? {});
        coerced = result.errors ? null : result.coerced;
      }
      return coerced;
    },
  };
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
