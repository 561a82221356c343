// Input hygiene: what no argument may carry, refused once per operation
// before anything runs, over HTTP, SSE and WebSocket alike. Each of these
// used to reach the database and fail the whole request as "Unexpected
// error.":
// - a NUL character in any text (PostgreSQL's text cannot hold U+0000);
// - a list of tens of thousands of ids (one query may bind at most 65,535
//   parameters); no list argument needs more than a page or a selection of
//   200, so 1,000 leaves the rules (R3: more than 200 lines) their own error;
// - text beyond any use (a preview token, the longest, is at most 16 KB);
// - a Prisma list cursor this list did not hand out: one of another list, or
//   edited by hand (Pothos reads a relation's page while the parent's query
//   is planned, so a check in the connection's own resolver would come too
//   late). A cursor that is no Prisma cursor at all Pothos refuses itself.
// Global IDs are checked where they are decoded (schema/ids.ts), DateTimes by
// their scalar. What Pothos itself refuses (a malformed cursor, an ID of
// another type) gets the code too (`maskError`).
import { decodeBase64, decodeCursorChunk, PothosValidationError } from "@pothos/core";
import {
  type FieldNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
} from "graphql";
import { type Plugin, maskError as yogaMaskError } from "graphql-yoga";
import { isUuid } from "../lib/ids.ts";
import { getDatamodel } from "../prisma/generated/pothos-types.ts";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../services/errors.ts";
import { wrongTypeMessage } from "./ids.ts";
import { intRange, listBound, textBound } from "./input-bounds.ts";
import {
  fieldArguments,
  type OperationCheck,
  readOperation,
  refuseBeforeRunning,
} from "./operation-checks.ts";

const BAD_USER_INPUT = "BAD_USER_INPUT";

function badInput(message: string, extensions: Record<string, unknown> = {}, node?: FieldNode): GraphQLError {
  return new GraphQLError(message, { nodes: node, extensions: { code: BAD_USER_INPUT, ...extensions } });
}

/** The most items any list argument holds. */
export const MAX_LIST_LENGTH = 1_000;
/** The most characters any text argument holds. */
export const MAX_TEXT_LENGTH = 65_536;

const problems = {
  NUL: "Text arguments must not contain the NUL character (U+0000).",
  TEXT_TOO_LONG: `Text arguments hold at most ${MAX_TEXT_LENGTH.toLocaleString("en")} characters.`,
  LIST_TOO_LONG: `List arguments hold at most ${MAX_LIST_LENGTH.toLocaleString("en")} items.`,
} as const;

type Problem = keyof typeof problems;

function textProblem(text: string): Problem | null {
  if (text.length > MAX_TEXT_LENGTH) return "TEXT_TOO_LONG";
  return text.includes("\u0000") ? "NUL" : null;
}

/** What is wrong anywhere inside a JSON value (a variable), if anything. */
function valueProblem(value: unknown): Problem | null {
  if (typeof value === "string") return textProblem(value);
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST_LENGTH) return "LIST_TOO_LONG";
    for (const item of value) {
      const problem = valueProblem(item);
      if (problem) return problem;
    }
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) {
      const problem = valueProblem(item);
      if (problem) return problem;
    }
  }
  return null;
}

// ---- Cursors ---------------------------------------------------------------
// A Prisma connection's cursor is base64("GPC:" + chunk), the chunk holding
// the values of one unique key of the node's model: a single field (`S:…`) or
// a compound key (`T:[…]`). Which key a connection pages by is Pothos's
// secret, so a cursor must fit every key of the model with as many fields
// (for receipts, a single value must be a valid `id` and `number` alike).

/** What a cursor part may hold: a generated id (UUID), text, a 32-bit integer, or anything (other types). */
type Part = "uuid" | "text" | "int" | "any";

const models = getDatamodel().datamodel.models as Record<
  string,
  {
    fields: readonly {
      name: string;
      kind: string;
      type: string;
      isId: boolean;
      isUnique: boolean;
      hasDefaultValue: boolean;
      relationFromFields?: readonly string[];
    }[];
    primaryKey: { fields: readonly string[] } | null;
    uniqueIndexes: readonly { fields: readonly string[] }[];
  }
>;

/** Ids the database generates are UUIDs (`@default(uuid(7)) @db.Uuid`). */
function hasGeneratedId(model: string): boolean {
  return models[model]?.fields.some((f) => f.isId && f.type === "String" && f.hasDefaultValue) ?? false;
}

function partOf(model: string, name: string): Part {
  const fields = models[model]?.fields ?? [];
  const field = fields.find((f) => f.name === name);
  if (field?.type === "Int") return "int";
  if (field?.type !== "String") return "any";
  if (field.isId && field.hasDefaultValue) return "uuid";
  // A foreign key holds the (generated) id of the row it points to.
  const relation = fields.find((f) => f.kind === "object" && f.relationFromFields?.includes(name));
  return relation && hasGeneratedId(relation.type) ? "uuid" : "text";
}

const keysByModel = new Map<string, Part[][]>();

/** The unique keys of a model, as the parts of a cursor over each. */
function cursorKeys(model: string): Part[][] {
  let keys = keysByModel.get(model);
  if (!keys) {
    const data = models[model];
    const names = data
      ? [
          ...data.fields.filter((f) => f.kind === "scalar" && (f.isId || f.isUnique)).map((f) => [f.name]),
          ...(data.primaryKey ? [data.primaryKey.fields] : []),
          ...data.uniqueIndexes.map((index) => index.fields),
        ]
      : [];
    keys = names.map((fields) => fields.map((name) => partOf(model, name)));
    keysByModel.set(model, keys);
  }
  return keys;
}

function fits(part: Part, value: unknown): boolean {
  switch (part) {
    case "uuid":
      return isUuid(value);
    case "text":
      return typeof value === "string" && !value.includes("\u0000");
    case "int":
      return Number.isSafeInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1;
    default:
      if (value instanceof Date) return !Number.isNaN(value.getTime());
      return value != null && valueProblem(value) === null;
  }
}

/**
 * Is `cursor` a Prisma cursor (`GPC:…`) that no connection over `model` hands
 * out? Anything else is the connection's to judge (Pothos refuses what it
 * cannot read as "Invalid cursor", and a list with cursors of its own reads them).
 */
export function isForgedPrismaCursor(model: string, cursor: string): boolean {
  let text: string;
  try {
    text = decodeBase64(cursor);
  } catch {
    return false;
  }
  if (!text.startsWith("GPC:")) return false;
  let value: unknown;
  try {
    value = decodeCursorChunk(text.slice(4));
  } catch {
    return true;
  }
  const parts = Array.isArray(value) ? value : [value];
  const keys = cursorKeys(model).filter((key) => key.length === parts.length);
  return keys.length === 0 || !keys.every((key) => key.every((part, i) => fits(part, parts[i])));
}

/** The Prisma model of a connection field's nodes, if it is one. */
function connectionModel(field: GraphQLField<unknown, unknown>): string | null {
  if (!field.args.some((arg) => arg.name === "after" || arg.name === "before")) return null;
  const connection = getNamedType(field.type);
  if (!isObjectType(connection)) return null;
  const edge = getNamedType(connection.getFields().edges?.type);
  if (!isObjectType(edge)) return null;
  const node = getNamedType(edge.getFields().node?.type);
  const model = node?.extensions?.pothosPrismaModel;
  return typeof model === "string" ? model : null;
}

/** Also what connections with cursors of their own answer for a cursor they did not hand out (line-order.ts). */
export const CURSOR_MESSAGE =
  "Invalid cursor: pass a cursor this list returned (edges.cursor, pageInfo.startCursor or pageInfo.endCursor).";

// ---- Bounds by coordinate (input-bounds.ts) ----------------------------------

/** The first argument value (at any depth) past its coordinate's bound, as a coded error. */
function boundError(value: unknown, type: GraphQLInputType, coordinate: string): GraphQLError | null {
  if (value === null || value === undefined) return null;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (!Array.isArray(value)) return boundError(value, inner.ofType, coordinate); // a single value coerced to a list
    const max = listBound(coordinate);
    if (value.length > max) {
      return badInput(`${coordinate} holds at most ${max.toLocaleString("en")} items.`, {
        reason: "LIST_TOO_LONG",
        argument: coordinate,
        max,
      });
    }
    for (const item of value) {
      const error = boundError(item, inner.ofType, coordinate);
      if (error) return error;
    }
    return null;
  }
  if (isInputObjectType(inner)) {
    for (const [name, field] of Object.entries(inner.getFields())) {
      const error = boundError((value as Record<string, unknown>)[name], field.type, `${inner.name}.${name}`);
      if (error) return error;
    }
    return null;
  }
  if (isEnumType(inner) || !isScalarType(inner)) return null;
  if (typeof value === "string" && (inner.name === "String" || inner.name === "ID")) {
    const max = textBound(coordinate);
    if (value.length > max) {
      return badInput(`${coordinate} holds at most ${max.toLocaleString("en")} characters.`, {
        reason: "TEXT_TOO_LONG",
        argument: coordinate,
        max,
      });
    }
  }
  if (typeof value === "number" && inner.name === "Int") {
    const [min, max] = intRange(coordinate);
    if (value < min || value > max) {
      return badInput(`${coordinate} must be between ${min} and ${max.toLocaleString("en")}.`, {
        reason: "OUT_OF_RANGE",
        argument: coordinate,
        min,
        max,
      });
    }
  }
  return null;
}

/** The first argument of `field` past its bound. */
function argumentsError(
  // biome-ignore lint/suspicious/noExplicitAny: any field of any type
  field: GraphQLField<any, any>,
  parent: string,
  args: Record<string, unknown>,
  node: FieldNode,
): GraphQLError | null {
  for (const arg of field.args) {
    const error = boundError(args[arg.name], arg.type, `${parent}.${field.name}(${arg.name}:)`);
    if (error) return new GraphQLError(error.message, { nodes: node, extensions: error.extensions });
  }
  return null;
}

// ---- The check -------------------------------------------------------------

/** The first thing in the operation's input that no field may receive, as a coded error. */
export const inputError: OperationCheck = (schema, document, operationName, variables) => {
  for (const [name, value] of Object.entries(variables ?? {})) {
    const problem = valueProblem(value);
    if (problem) return badInput(problems[problem], { reason: problem, variable: name });
  }
  const operation = readOperation(schema, document, operationName, variables);
  if (!operation) return null;
  for (const step of operation.steps) {
    if (step.kind === "string") {
      const problem = textProblem(step.node.value);
      if (problem) return badInput(problems[problem], { reason: problem });
      continue;
    }
    if (step.kind === "list") {
      if (step.node.values.length > MAX_LIST_LENGTH) {
        return badInput(problems.LIST_TOO_LONG, { reason: "LIST_TOO_LONG" });
      }
      continue;
    }
    const { field, parent, node } = step;
    const values = operation.variables();
    const args = values && fieldArguments(field, node, values);
    if (!args) continue;
    const outOfBounds = argumentsError(field, parent, args, node);
    if (outOfBounds) return outOfBounds;
    const model = connectionModel(field);
    if (!model) continue;
    for (const name of ["after", "before"]) {
      const cursor = args[name];
      if (typeof cursor === "string" && isForgedPrismaCursor(model, cursor)) {
        return badInput(CURSOR_MESSAGE, { argument: name }, node);
      }
    }
  }
  return null;
};

/**
 * Refuses an operation (query, mutation or subscription) whose input no field
 * may receive, before it runs; and codes what parsing and validation throw
 * (graphql-armor's limits throw), which over WebSocket reaches the client
 * without passing yoga's HTTP plugins or its error mask.
 */
export function useInputHygiene(): Plugin {
  return {
    ...refuseBeforeRunning(inputError),
    onParse({ parseFn, setParseFn }) {
      setParseFn((...args) => {
        try {
          return parseFn(...args);
        } catch (error) {
          throw error instanceof GraphQLError ? coded(error, "GRAPHQL_PARSE_FAILED") : error;
        }
      });
    },
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((...args) => {
        try {
          return validateFn(...args);
        } catch (error) {
          throw error instanceof GraphQLError ? coded(error, "GRAPHQL_VALIDATION_FAILED") : error;
        }
      });
    },
  };
}

/**
 * The error itself, now with a code: yoga logs an error its mask replaced as
 * an unexpected one, and these are the client's.
 */
function coded(error: GraphQLError, code: string): GraphQLError {
  (error.extensions as Record<string, unknown>).code ??= code;
  return error;
}

/**
 * What an operation that needed the database gets while it cannot be reached
 * (services/errors.ts knows the signs): a coded answer the client can act on,
 * 503 with Retry-After over HTTP (`extensions.http`, read by yoga; WebSocket
 * messages go without it), at the place of the error it replaces.
 */
export function serviceUnavailable(replaced?: GraphQLError): GraphQLError {
  const seconds = DATABASE_RETRY_AFTER_SECONDS;
  return new GraphQLError(`Service unavailable: the database cannot be reached; retry in ${seconds} s.`, {
    nodes: replaced?.nodes,
    source: replaced?.source,
    positions: replaced?.positions,
    path: replaced?.path,
    extensions: {
      code: "SERVICE_UNAVAILABLE",
      retryAfter: seconds,
      http: { status: 503, headers: { "retry-after": String(seconds) } },
    },
  });
}

/**
 * Yoga's error masking, except that every client error carries a code:
 * - the database being unreachable (wherever it was found: reading the
 *   caller's session, a resolver, a subscription's stream) is
 *   SERVICE_UNAVAILABLE (`serviceUnavailable`);
 * - what Pothos refuses as invalid input (a malformed cursor, an ID of the
 *   wrong type) gets BAD_USER_INPUT, like ours, and keeps its message, but an
 *   ID of the wrong type gets the wording of ours (schema/ids.ts);
 * - errors of the request itself (no path: the document, the armor limits,
 *   variables that do not coerce) get GRAPHQL_VALIDATION_FAILED, or
 *   BAD_USER_INPUT for a variable, whichever transport carried them (yoga
 *   codes some of them over plain HTTP only).
 * Anything else unexpected is masked as before ("Unexpected error.").
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  if (isDatabaseUnavailable(error))
    return serviceUnavailable(error instanceof GraphQLError ? error : undefined);
  if (error instanceof GraphQLError && !error.extensions.code) {
    const cause = error instanceof PothosValidationError ? error : error.originalError;
    if (cause instanceof PothosValidationError) {
      // The error itself, reworded: yoga logs an error its mask replaced as an unexpected one.
      error.message = wrongTypeMessage(cause) ?? error.message;
      return coded(error, BAD_USER_INPUT);
    }
    if (!error.path && (!error.originalError || error.originalError instanceof GraphQLError)) {
      const ofVariable = error.nodes?.some((node) => node.kind === Kind.VARIABLE_DEFINITION);
      return coded(error, ofVariable ? BAD_USER_INPUT : "GRAPHQL_VALIDATION_FAILED");
    }
  }
  return yogaMaskError(error, message, isDev);
}
