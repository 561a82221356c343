// Every argument is hostile. For every query, mutation and subscription field
// of the schema, fast-check generates arguments of every hostile kind their
// types allow (NUL characters, huge strings, wrong-typed values, global IDs
// that are malformed, of another type or of nobody, cursors of other lists or
// edited by hand, extreme integers, DateTimes out of range, empty and
// oversized lists, input objects with fields missing or added), as variables
// and as literals, nested fields' arguments included, and sends them as an
// integrator would: over HTTP (subscriptions over SSE and graphql-ws), as a
// MAIN administrator, a GROUP administrator, an API token and anonymously.
// Whatever comes in, the answer is data or a client error with a code: never
// a 5xx, never INTERNAL_SERVER_ERROR ("Unexpected error."), nothing the
// server logs as an error. The seed is fixed; the named examples below are
// crashes the property found (or was written for), kept as regressions.
import { encodeGlobalID } from "@pothos/plugin-relay";
import fc from "fast-check";
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../schema/index.ts";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { collect, collectSse, wsClient } from "../support/subscriptions.ts";
import { waitUntil } from "../support/wait.ts";

/** Fixed, so every run sends the same requests; HOSTILE_SEED / HOSTILE_RUNS explore further by hand. */
const SEED = Number(process.env.HOSTILE_SEED ?? 20261124);
/** Generated operations per field with arguments (fields without any get one per caller). */
const RUNS_PER_FIELD = Number(process.env.HOSTILE_RUNS ?? 50);

// ---- The running product and what is real in it ----------------------------

let server: RunningApp;
type Caller = "main" | "group" | "apiToken" | "anonymous";
const tokens: Record<Caller, string | undefined> = {
  main: undefined,
  group: undefined,
  apiToken: undefined,
  anonymous: undefined,
};
const wsClients = new Map<Caller, ReturnType<typeof wsClient>>();

/** Raw ids (UUIDs) by Node type: real rows of both accounts, for valid-looking global IDs. */
const realIds = new Map<string, string[]>();
/** Cursors every list handed out (to be sent to every other list too). */
const realCursors: string[] = [];
const realPhoneNumbers: string[] = [];
const realReceiptNumbers: string[] = [];

const b64 = (text: string) => Buffer.from(text).toString("base64");

function remember(typename: string, globalId: string) {
  const raw = Buffer.from(globalId, "base64").toString().split(":").slice(1).join(":");
  realIds.set(typename, [...(realIds.get(typename) ?? []), raw]);
}

async function ok<T = any>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const result = await graphql<T>(server.graphqlUrl, query, variables, token);
  if (result.errors || !result.data) throw new Error(`${query}: ${JSON.stringify(result)}`);
  return result.data;
}

beforeAll(async () => {
  // 12:00 JST: permission changes are accepted (R4), so generated ones can get that far.
  // No worker: accepted items stay pending, and nothing happens between two requests.
  server = await startTestApp({ FAKE_NOW: "2026-11-24T12:00:00+09:00" }, { startWorker: false });
  const url = server.graphqlUrl;
  tokens.main = await loginAs(url, "Manager@admin");
  tokens.group = await loginAs(url, "GroupA@admin");
  const other = await loginAs(url, "Other@admin");
  const scopes =
    "[READ_LINES, READ_RECEIPTS, CHANGE_PERMISSIONS, SEND_MAIL, READ_PASSWORDS, CHECK_FEATURE_ACCESS]";
  const created = await ok(
    `mutation { createApiToken(input: {name: "hostile-input", scopes: ${scopes}}) { token } }`,
    {},
    tokens.main,
  );
  tokens.apiToken = created.createApiToken.token;
  // A token that generated revokeApiToken calls may revoke (the caller's own is not in the pool).
  const decoy = await ok(
    `mutation { createApiToken(input: {name: "decoy", scopes: [READ_LINES]}) { apiToken { id } } }`,
    {},
    tokens.main,
  );
  remember("ApiToken", decoy.createApiToken.apiToken.id);

  const PAGE = `query ($filter: LineFilter) { lines(first: 3, filter: $filter) {
    edges { cursor node { id phoneNumber } } } }`;
  for (const filter of [
    { contractStatus: "ACTIVE", deviceKind: "SMARTPHONE" },
    { contractStatus: "CANCELLED" },
    { deviceKind: "FEATURE_PHONE_3G" },
  ]) {
    for (const edge of (await ok(PAGE, { filter }, tokens.main)).lines.edges) {
      remember("Line", edge.node.id);
      realCursors.push(edge.cursor);
      realPhoneNumbers.push(edge.node.phoneNumber);
    }
  }
  const foreign = await ok(PAGE, {}, other);
  remember("Line", foreign.lines.edges[0].node.id);
  realPhoneNumbers.push(foreign.lines.edges[0].node.phoneNumber);

  const groups = await ok(
    "{ groups(first: 2) { edges { cursor node { id lines(first: 2) { edges { cursor } } } } } }",
    {},
    tokens.main,
  );
  for (const edge of groups.groups.edges) {
    remember("Group", edge.node.id);
    realCursors.push(edge.cursor, ...edge.node.lines.edges.map((e: { cursor: string }) => e.cursor));
  }
  const viewer = await ok("{ viewer { administrator { id } } }", {}, tokens.main);
  remember("Administrator", viewer.viewer.administrator.id);

  // A permission change and a mail receipt, for every argument that takes a receipt or its items.
  const lineIds = (realIds.get("Line") ?? []).slice(0, 3).map((id) => encodeGlobalID("Line", id));
  await ok(
    `mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { receipt { id } } }`,
    {
      input: {
        lines: lineIds.slice(0, 2).map((lineId) => ({ lineId, backup: true, phonebookMigration: true })),
      },
    },
    tokens.main,
  );
  await ok(
    `mutation ($input: SendMailInput!) { sendAppDownloadMail(input: $input) { receipt { id } } }`,
    { input: { lineIds: lineIds.slice(2) } },
    tokens.main,
  );
  const receipts = await ok(
    `{ receipts(first: 3) { edges { cursor node { id number
      items(first: 2) { edges { cursor node { id } } } } } } mailMessages(first: 2) { edges { cursor } } }`,
    {},
    tokens.main,
  );
  for (const edge of receipts.receipts.edges) {
    remember("Receipt", edge.node.id);
    realReceiptNumbers.push(edge.node.number);
    realCursors.push(edge.cursor);
    for (const item of edge.node.items.edges) {
      remember("ReceiptItem", item.node.id);
      realCursors.push(item.cursor);
    }
  }
  realCursors.push(...receipts.mailMessages.edges.map((e: { cursor: string }) => e.cursor));
  expect(realIds.get("Receipt")?.length).toBeGreaterThan(0);
  expect(realIds.get("ReceiptItem")?.length).toBeGreaterThan(0);
});

afterAll(async () => {
  for (const client of wsClients.values()) await client.dispose();
  await server?.stop();
});

// ---- Hostile values, by input type ------------------------------------------

const NUL = "\u0000";
const HUGE = "x".repeat(200_000);
const LONGEST = "y".repeat(65_536);
const HUGE_JAPANESE = "あ".repeat(60_000);
const NODE_TYPES = ["Line", "Group", "Receipt", "ReceiptItem", "Administrator", "ApiToken"];

const hostileText = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    NUL,
    `a${NUL}b`,
    "\ud800",
    "a\udfffb",
    "%",
    "_%\\",
    "' OR 1=1 --",
    "\n\t",
    "🙂",
    "０９０",
    "Other@admin",
    "abt_not-a-token",
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}${NUL}${b}`),
);

/** Past any limit, and just within the 65,536 characters any text may hold. */
const bigText = fc.constantFrom(HUGE, LONGEST, HUGE_JAPANESE, `${HUGE}${NUL}`);

const uuid = fc.uuid();
const globalId = fc.oneof(
  // Real rows (of both accounts), under their own type or another.
  fc
    .tuple(fc.constantFrom(...NODE_TYPES), fc.constantFrom(...NODE_TYPES), fc.boolean())
    .map(([own, as, honest]) => {
      const ids = realIds.get(own) ?? [];
      return encodeGlobalID(honest ? own : as, ids[0] ?? "00000000-0000-7000-8000-000000000000");
    }),
  fc.tuple(fc.constantFrom(...NODE_TYPES), fc.nat()).map(([type, i]) => {
    const ids = realIds.get(type) ?? [];
    return encodeGlobalID(type, ids[i % Math.max(1, ids.length)] ?? "nope");
  }),
  // Nobody's (a valid UUID), or no type at all.
  fc
    .tuple(fc.constantFrom(...NODE_TYPES, "Foo", "Query", "LinePassword"), uuid)
    .map(([t, id]) => encodeGlobalID(t, id)),
  // Inner ids that are not UUIDs.
  fc
    .tuple(
      fc.constantFrom(...NODE_TYPES),
      fc.oneof(hostileText, fc.constantFrom("1", "x:y", "0190a000-0000")),
    )
    .map(([t, id]) => encodeGlobalID(t, id)),
  uuid, // a raw id, not a global one
  fc.base64String({ maxLength: 40 }),
  hostileText,
);

const cursorChunks = fc.oneof(
  fc.constantFrom(
    "J:[1,2]",
    'J:["a","b"]',
    "J:null",
    "S:",
    "S:not-a-uuid",
    `S:a${NUL}b`,
    "N:1e309",
    "N:NaN",
    "N:99999999999",
    "T:[]",
    "T:[null,null]",
    "T:notjson",
    'T:["S:x"]',
    "Z:",
    "D:1",
    "O:{}",
    "I:1",
    "X:1",
  ),
  uuid.map((id) => `S:${id}`),
  fc
    .tuple(
      uuid,
      fc.oneof(
        hostileText.map((t) => `S:${t}`),
        fc.integer().map((n) => `N:${n}`),
      ),
    )
    .map(([id, part]) => `T:${JSON.stringify([`S:${id}`, part])}`),
);

/** Cursors: every list's real ones (sent to every list), and made-up ones. */
const cursor = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...realCursors) },
    { weight: 3, arbitrary: cursorChunks.map((chunk) => b64(`GPC:${chunk}`)) },
    { weight: 1, arbitrary: cursorChunks.map(b64) },
    { weight: 1, arbitrary: fc.base64String({ maxLength: 40 }) },
    { weight: 1, arbitrary: hostileText },
  );

const int = fc.oneof(
  fc.constantFrom(0, 1, -1, 2, 199, 200, 201, 1000, 2 ** 31 - 1, -(2 ** 31)),
  fc.integer(),
);

const dateTime = fc.oneof(
  fc.constantFrom(
    "2026-11-24T03:00:00.000Z",
    "2026-11-24T12:00:00+09:00",
    "2026-11-24",
    "1999-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "-000001-01-01T00:00:00Z",
    "+275760-09-13T00:00:00.000Z",
    "+010000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999Z",
    "9999-12-31T23:00:00-05:00",
    "2026-02-30T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-11-24T25:00:00Z",
    "now",
    "",
    "1",
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

const date = fc.oneof(
  fc.constantFrom(
    "2026-11-24",
    "0000-01-01",
    "9999-12-31",
    "2026-02-30",
    "20261124",
    "",
    "2026-11-24T00:00:00Z",
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);

/** A value of another JSON type than the position wants (coercion refuses these). */
const wrongType = fc.constantFrom<unknown>(1.5, "text", true, {}, [1], 2 ** 31, 2 ** 53, -1e300, {
  unexpected: 1,
});

/** A UUID nobody has, one per index. */
const uuidOf = (i: number) => `00000000-0000-7000-8000-${i.toString(16).padStart(12, "0")}`;

/** `n` copies of `item`, each global ID in it replaced by one of the same type that no other copy has. */
function spread(item: unknown, n: number): unknown[] {
  const json = JSON.stringify(item) ?? "null";
  return Array.from({ length: n }, (_, i) =>
    JSON.parse(json, (_key, value) => {
      if (typeof value !== "string") return value;
      const [type, id] = Buffer.from(value, "base64").toString().split(":");
      return type && NODE_TYPES.includes(type) && id && /^[0-9a-f-]{36}$/.test(id)
        ? encodeGlobalID(type, uuidOf(i))
        : value;
    }),
  );
}

interface Place {
  /** Argument or input field name: `after`/`before` get cursors, `phoneNumber` real numbers, ... */
  name: string;
  /** Big values (200,000 characters) only where they are not multiplied by an oversized list. */
  big: boolean;
}

function scalarValue(type: GraphQLNamedType, place: Place): fc.Arbitrary<unknown> {
  const text = place.big
    ? fc.oneof({ weight: 6, arbitrary: hostileText }, { weight: 1, arbitrary: bigText })
    : hostileText;
  switch (type.name) {
    case "ID":
      return place.big
        ? fc.oneof({ weight: 8, arbitrary: globalId }, { weight: 1, arbitrary: bigText })
        : globalId;
    case "Int":
      return int;
    case "Float":
      return fc.double();
    case "Boolean":
      return fc.boolean();
    case "DateTime":
      return dateTime;
    case "Date":
      return date;
    case "String":
      if (place.name === "after" || place.name === "before") return cursor();
      if (place.name === "phoneNumber") return fc.oneof(fc.constantFrom(...realPhoneNumbers), text);
      if (place.name === "number") return fc.oneof(fc.constantFrom(...realReceiptNumbers), text);
      return text;
    default:
      return text;
  }
}

/** A value for a position of this type: mostly of the type (hostile within it), now and then null or of another type. */
function hostileValue(type: GraphQLInputType, place: Place): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 40, arbitrary: typedValue(isNonNullType(type) ? type.ofType : type, place) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: wrongType },
  );
}

function typedValue(type: GraphQLInputType, place: Place): fc.Arbitrary<unknown> {
  let value: fc.Arbitrary<unknown>;
  if (isListType(type)) {
    const item = hostileValue(type.ofType, { ...place, big: false });
    value = fc.oneof(
      { weight: 2, arbitrary: fc.constant([]) },
      { weight: 6, arbitrary: fc.array(item, { minLength: 1, maxLength: 4 }) },
      // Oversized: past the 200-line limits, past the 1,000 items any list may
      // hold, and (for a list of ids) past the 65,535 parameters one query may
      // bind; the same item over and over, or items of distinct ids.
      {
        weight: 2,
        arbitrary: fc
          .tuple(item, fc.constantFrom(201, 1_000, 1_001, 3_000, 70_000), fc.boolean())
          .map(([v, n, distinct]) => {
            const size = typeof v === "object" && v !== null ? Math.min(n, 3_000) : n;
            return distinct ? spread(v, size) : Array(size).fill(v);
          }),
      },
    );
  } else if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).map((field) => {
      const required = isNonNullType(field.type);
      const present = fc
        .boolean()
        .chain((keep) =>
          keep || required
            ? hostileValue(field.type, { name: field.name, big: place.big })
            : fc.constant(undefined),
        );
      // Now and then a required field goes missing.
      const maybe = required
        ? fc.oneof({ weight: 20, arbitrary: present }, { weight: 1, arbitrary: fc.constant(undefined) })
        : present;
      return [field.name, maybe] as const;
    });
    value = fc
      .tuple(
        fc.record(Object.fromEntries(fields)),
        fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      )
      .map(([record, extra]) => {
        const object: Record<string, unknown> = {};
        for (const [key, v] of Object.entries(record)) if (v !== undefined) object[key] = v;
        if (extra) object.unexpectedField = 1;
        return object;
      });
  } else if (isEnumType(type)) {
    value = fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom(...type.getValues().map((v) => v.name)) },
      { weight: 1, arbitrary: fc.constantFrom("NOT_A_VALUE", "main", "") },
    );
  } else {
    value = scalarValue(type as GraphQLNamedType, place);
  }
  return value;
}

// ---- Operations, from the schema ---------------------------------------------

interface Slot {
  variable: string;
  type: GraphQLInputType;
}

interface Plan {
  /** The field's call with `%v0:name%` holes for each argument. */
  template: string;
  slots: Slot[];
  /** Per field with arguments: values for its slots (undefined: left out). */
  values: fc.Arbitrary<unknown[]>[];
}

const MAX_DEPTH = 3;
const PAGING = ["first", "after", "last", "before"];

const pageSize = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, 1, 2, 50, 200) },
  { weight: 2, arbitrary: int },
  { weight: 1, arbitrary: wrongType },
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });

/**
 * Paging arguments, mostly one way or the other (mixed ones are refused
 * before anything runs, which would hide everything else), now and then mixed.
 */
function pagingValues(): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ first: maybe(pageSize), after: maybe(cursor()) }) },
    { weight: 3, arbitrary: fc.record({ last: maybe(pageSize), before: maybe(cursor()) }) },
    {
      weight: 1,
      arbitrary: fc.record({ first: pageSize, after: cursor(), last: pageSize, before: cursor() }),
    },
  );
}

/** Values for one field's arguments, in order. */
function argumentValues(field: GraphQLField<unknown, unknown>, depth: number): fc.Arbitrary<unknown[]> {
  const paging = field.args.some((arg) => arg.name === "after" || arg.name === "before");
  const others = field.args.map((arg) => {
    if (paging && PAGING.includes(arg.name)) return fc.constant(undefined);
    const value = hostileValue(arg.type, { name: arg.name, big: depth === 0 });
    const leftOut = isNonNullType(arg.type) ? 1 : 10;
    return fc.oneof({ weight: 40, arbitrary: value }, { weight: leftOut, arbitrary: fc.constant(undefined) });
  });
  return fc
    .tuple(fc.tuple(...others), paging ? pagingValues() : fc.constant({} as Record<string, unknown>))
    .map(([values, page]) =>
      field.args.map((arg, i) => (paging && PAGING.includes(arg.name) ? page[arg.name] : values[i])),
    );
}

/** A selection of every leaf and, a few levels deep, every object field, with arguments as holes. */
function planField(field: GraphQLField<unknown, unknown>, depth: number, plan: Plan): string {
  const args = field.args.map((arg) => {
    const variable = `v${plan.slots.length}`;
    plan.slots.push({ variable, type: arg.type });
    return `%${variable}:${arg.name}%`;
  });
  if (args.length > 0) plan.values.push(argumentValues(field, depth));
  const call = `${field.name}${args.length ? `(${args.join(" ")})` : ""}`;
  const selection = selectionOf(field.type, depth + 1, plan);
  return selection === "" ? call : `${call} { ${selection} }`;
}

function selectionOf(type: GraphQLOutputType, depth: number, plan: Plan): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return "";
  if (isInterfaceType(named) || isUnionType(named)) {
    return isInterfaceType(named) && named.getFields().id ? "__typename id" : "__typename";
  }
  if (!isObjectType(named)) return "__typename";
  if (depth > MAX_DEPTH) return "__typename";
  const parts = ["__typename"];
  for (const field of Object.values(named.getFields())) {
    const leaf = isLeafType(getNamedType(field.type));
    if (!leaf && depth === MAX_DEPTH) continue;
    // Nested arguments are generated too (a receipt's items page, a group's lines page).
    parts.push(planField(field, depth, plan));
  }
  return parts.join(" ");
}

interface Operation {
  query: string;
  variables: Record<string, unknown>;
}

/** A GraphQL literal for a JSON value (enum names bare), for arguments sent inline. */
function literal(value: unknown, type: GraphQLInputType): string {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) {
    const item = isListType(inner) ? inner.ofType : inner;
    return `[${value.map((v) => literal(v, item)).join(", ")}]`;
  }
  if (typeof value === "object") {
    const fields = isInputObjectType(inner) ? inner.getFields() : {};
    return `{${Object.entries(value)
      .map(([key, v]) => `${key}: ${literal(v, fields[key]?.type ?? inner)}`)
      .join(", ")}}`;
  }
  if (typeof value === "string" && isEnumType(inner) && /^[_A-Za-z]\w*$/.test(value)) return value;
  return JSON.stringify(value) ?? "null";
}

function operationArbitrary(
  kind: "query" | "mutation" | "subscription",
  field: GraphQLField<unknown, unknown>,
) {
  const plan: Plan = { template: "", slots: [], values: [] };
  plan.template = planField(field, 0, plan);
  const inline = fc.oneof(
    { weight: 3, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  );
  const arbitrary = fc
    .tuple(
      fc.tuple(...plan.values),
      fc.array(inline, { minLength: plan.slots.length, maxLength: plan.slots.length }),
    )
    .map(([perField, inlined]): Operation => {
      const values = perField.flat();
      const declarations: string[] = [];
      const variables: Record<string, unknown> = {};
      const query = plan.template.replaceAll(/%(v\d+):(\w+)%/g, (_, variable: string, arg: string) => {
        const index = Number(variable.slice(1));
        const value = values[index];
        const slot = plan.slots[index]!;
        if (value === undefined) return "";
        if (inlined[index]) return `${arg}: ${literal(value, slot.type)}`;
        declarations.push(`$${variable}: ${slot.type.toString()}`);
        variables[variable] = value;
        return `${arg}: $${variable}`;
      });
      // Holes left empty leave `()` behind.
      const cleaned = query.replaceAll(/\(\s*\)/g, "");
      const head = declarations.length ? `${kind} (${declarations.join(", ")})` : kind;
      return { query: `${head} { ${cleaned} }`, variables };
    });
  return { arbitrary, arguments: plan.slots.length };
}

// ---- Sending, and what no answer may be --------------------------------------

interface Answer {
  status: number;
  errors: { message?: string; extensions?: { code?: string } }[];
  body: string;
}

async function post(operation: Operation, caller: Caller): Promise<Answer> {
  const token = tokens[caller];
  const response = await fetch(server.graphqlUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(operation),
  });
  const body = await response.text();
  let errors: Answer["errors"] = [];
  try {
    errors = (JSON.parse(body) as { errors?: Answer["errors"] }).errors ?? [];
  } catch {
    // Not JSON: the status says enough.
  }
  return { status: response.status, errors, body: body.slice(0, 2_000) };
}

const liveSubscriptions = () =>
  server.app.realtime.subscribers("receipt:event") + server.app.realtime.subscribers("lines:changed");

/**
 * A subscription's first answer: its first event or error, or, for one that
 * has nothing to say until something changes (lineStatusChanged), the moment
 * the server holds it. receiptProgress always starts with a snapshot.
 */
function firstAnswerOf(field: string, before: number) {
  return field === "receiptProgress" ? null : () => liveSubscriptions() > before;
}

/** SSE events up to the first complete `next` or `complete` block. */
const FIRST_EVENT = /event: (next|complete)\n(data:[^\n]*\n)*\n/;

async function subscribeSse(operation: Operation, caller: Caller, field: string): Promise<Answer> {
  const token = tokens[caller];
  const before = liveSubscriptions();
  const abort = new AbortController();
  const response = await fetch(server.graphqlUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(operation),
    signal: abort.signal,
  });
  const errors: Answer["errors"] = [];
  let body = "";
  if (response.body && (response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const held = firstAnswerOf(field, before);
    let settled = false;
    const holding = held
      ? waitUntil(() => settled || held(), Boolean, { what: "the subscription to be held" })
      : new Promise<boolean>(() => {});
    try {
      for (;;) {
        const read = reader.read();
        read.catch(() => {}); // cut short by the abort below when the subscription is merely held
        const next = await Promise.race([read, holding.then(() => ({ done: true, value: "" }))]);
        body += next.value ?? "";
        if (next.done || FIRST_EVENT.test(body)) break;
      }
    } finally {
      settled = true;
      abort.abort();
    }
    for (const block of body.split("\n\n")) {
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5))
        .join("");
      if (data.trim()) errors.push(...((JSON.parse(data) as { errors?: Answer["errors"] }).errors ?? []));
    }
  } else {
    body = await response.text();
    try {
      errors.push(...((JSON.parse(body) as { errors?: Answer["errors"] }).errors ?? []));
    } catch {
      // Not JSON: the status says enough.
    }
  }
  // The server lets go of it before the next run counts again.
  await waitUntil(liveSubscriptions, (n) => n <= before, { what: "the subscription to end" });
  return { status: response.status, errors, body: body.slice(0, 2_000) };
}

async function subscribeWs(operation: Operation, caller: Caller, field: string): Promise<Answer> {
  let client = wsClients.get(caller);
  if (!client) {
    client = wsClient(server.wsUrl, tokens[caller]);
    wsClients.set(caller, client);
  }
  const before = liveSubscriptions();
  const held = firstAnswerOf(field, before);
  const answer: Answer = { status: 200, errors: [], body: "" };
  let unsubscribe = () => {};
  const first = new Promise<void>((resolve) => {
    unsubscribe = client.subscribe(operation, {
      next: (value) => {
        answer.errors.push(...((value.errors ?? []) as Answer["errors"]));
        answer.body = JSON.stringify(value).slice(0, 2_000);
        resolve();
      },
      error: (error) => {
        if (Array.isArray(error)) answer.errors.push(...error);
        else {
          // A closed socket: 4500 would be graphql-ws's "internal server error".
          const code = (error as { code?: number }).code ?? 0;
          answer.status = code === 4500 || code === 1011 ? 500 : 200;
          answer.body = `socket closed ${code}`;
        }
        resolve();
      },
      complete: () => resolve(),
    });
  });
  let settled = false;
  try {
    await Promise.race([
      first,
      held ? waitUntil(() => settled || held(), Boolean, { what: "the subscription to be held" }) : first,
    ]);
  } finally {
    settled = true;
    unsubscribe();
  }
  await waitUntil(liveSubscriptions, (n) => n <= before, { what: "the subscription to end" });
  return answer;
}

const errorLogs = () => server.logs.filter((line) => line.level >= 50).length;

function expectClientAnswer(answer: Answer, operation: Operation, caller: Caller, logsBefore: number) {
  const context = `as ${caller}: ${operation.query.slice(0, 400)} ${JSON.stringify(operation.variables).slice(0, 400)}\n→ ${answer.status} ${answer.body.slice(0, 600)}`;
  expect(answer.status, context).toBeLessThan(500);
  for (const error of answer.errors) {
    expect(error.message, context).not.toBe("Unexpected error.");
    expect(error.extensions?.code, context).not.toBe("INTERNAL_SERVER_ERROR");
    // Every error says what kind it is.
    expect(typeof error.extensions?.code, context).toBe("string");
  }
  const logged = server.logs.filter((line) => line.level >= 50).slice(logsBefore);
  expect(
    logged.map((line) => line.msg),
    context,
  ).toEqual([]);
}

const callers = fc.constantFrom<Caller>("main", "main", "main", "group", "apiToken", "apiToken", "anonymous");

function fieldsOf(kind: "query" | "mutation" | "subscription") {
  const root =
    kind === "query"
      ? schema.getQueryType()
      : kind === "mutation"
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  return Object.values(root?.getFields() ?? {}).map((field) => [field.name, field] as const);
}

/** A fixed seed per field, so a field added or removed does not change what the others get. */
const seedOf = (name: string) =>
  [...name].reduce((seed, char) => (seed * 31 + char.charCodeAt(0)) >>> 0, SEED);

// ---- Named examples: each was an "Unexpected error." -------------------------

const BAD_INPUT = "BAD_USER_INPUT";
const NUL_REFUSED = {
  message: "Text arguments must not contain the NUL character (U+0000).",
  code: BAD_INPUT,
};
const NOT_OUR_ID = { message: "Invalid ID: not an ID this API returned.", code: BAD_INPUT };
const notAnIdOf = (type: string) => ({
  message: `Invalid ID: expected the ID of a ${type}, as this API returns it.`,
  code: BAD_INPUT,
});
const INVALID_CURSOR = {
  message:
    "Invalid cursor: pass a cursor this list returned (edges.cursor, pageInfo.startCursor or pageInfo.endCursor).",
  code: BAD_INPUT,
};
const DATE_TIME_REFUSED =
  "DateTime must be an ISO 8601 date-time between the years 0001 and 9999 (e.g. 2026-11-24T01:02:03.000Z)";

/** The errors of an answer as message and code. */
async function refusal(query: string, variables: Record<string, unknown> = {}, caller: Caller = "main") {
  const result = await graphql(server.graphqlUrl, query, variables, tokens[caller]);
  expect(result.status).toBeLessThan(500);
  return (result.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code }));
}

const globalIdOf = (type: string) => encodeGlobalID(type, realIds.get(type)![0]!);

describe("named examples: a NUL character in any text is BAD_USER_INPUT", () => {
  const withNul = `090${NUL}1234`;
  it.each([
    [
      "lines(filter: {search})",
      "query ($s: String) { lines(first: 1, filter: {search: $s}) { totalCount } }",
    ],
    ["line(phoneNumber)", "query ($s: String!) { line(phoneNumber: $s) { id } }"],
    ["receipt(number)", "query ($s: String!) { receipt(number: $s) { id } }"],
    [
      "featureAccess(phoneNumber)",
      "query ($s: String!) { featureAccess(phoneNumber: $s, app: IPHONE, action: SAVE_TO_SERVER) { allowed } }",
    ],
    ["login(loginId)", 'mutation ($s: String!) { login(loginId: $s, password: "demo-pass") { token } }'],
    [
      "createApiToken(input: {name})",
      "mutation ($s: String!) { createApiToken(input: {name: $s, scopes: [READ_LINES]}) { token } }",
    ],
    [
      "submitPermissionChange(input: {idempotencyKey})",
      "mutation ($s: String) { submitPermissionChange(input: {idempotencyKey: $s}) { replayed } }",
    ],
  ])("%s, as a variable", async (_name, query) => {
    expect(await refusal(query, { s: withNul })).toEqual([NUL_REFUSED]);
  });

  it("as a literal (\\u0000 in the document) too", async () => {
    expect(await refusal('{ lines(first: 1, filter: {search: "a\\u0000b"}) { totalCount } }')).toEqual([
      NUL_REFUSED,
    ]);
  });

  it("in an ID too, and over graphql-ws as over HTTP", async () => {
    const client = wsClient(server.wsUrl, tokens.main);
    try {
      const refused = await collect(
        client,
        "subscription ($ids: [ID!]) { lineStatusChanged(lineIds: $ids) { id } }",
        {
          ids: [withNul],
        },
      );
      expect(refused.events).toEqual([]);
      expect(refused.error).toMatchObject([
        { message: NUL_REFUSED.message, extensions: { code: BAD_INPUT } },
      ]);
    } finally {
      await client.dispose();
    }
  });
});

describe("named examples: global IDs whose inner id is not a UUID are BAD_USER_INPUT", () => {
  it("node(id)", async () => {
    const result = await graphql(
      server.graphqlUrl,
      "query ($id: ID!) { node(id: $id) { id } }",
      {
        id: encodeGlobalID("Line", "nope"),
      },
      tokens.main,
    );
    expect(result.data).toEqual({ node: null });
    expect(result.errors).toMatchObject([{ message: NOT_OUR_ID.message, extensions: { code: BAD_INPUT } }]);
  });

  it("node(id) with garbage, or a type that is no node: garbage is refused, an unknown type is nobody", async () => {
    expect(await refusal('{ node(id: "!!!") { id } }')).toEqual([NOT_OUR_ID]);
    const nobody = await graphql(
      server.graphqlUrl,
      "query ($id: ID!) { node(id: $id) { id } }",
      {
        id: encodeGlobalID("Foo", uuidOf(1)),
      },
      tokens.main,
    );
    expect(nobody).toMatchObject({ status: 200, data: { node: null } });
    expect(nobody.errors).toBeUndefined();
  });

  it("receiptProgress(receiptId), over SSE and over graphql-ws", async () => {
    const query = "subscription ($id: ID!) { receiptProgress(receiptId: $id) { seq } }";
    const variables = { id: encodeGlobalID("Receipt", "20261124") };
    const overSse = await collectSse(server.graphqlUrl, tokens.main!, query, variables);
    expect(overSse.error).toMatchObject([{ message: NOT_OUR_ID.message, extensions: { code: BAD_INPUT } }]);
    const client = wsClient(server.wsUrl, tokens.main);
    try {
      const overWs = await collect(client, query, variables);
      expect(overWs.error).toMatchObject([{ message: NOT_OUR_ID.message, extensions: { code: BAD_INPUT } }]);
    } finally {
      await client.dispose();
    }
  });

  it("lineStatusChanged(groupId): refused at once, not when the first line changes", async () => {
    const overSse = await collectSse(
      server.graphqlUrl,
      tokens.main!,
      "subscription ($id: ID) { lineStatusChanged(groupId: $id) { id } }",
      { id: encodeGlobalID("Group", "1") },
    );
    expect(overSse.error).toMatchObject([{ message: NOT_OUR_ID.message, extensions: { code: BAD_INPUT } }]);
  });

  it("every ID argument of a known type: malformed or not a UUID, or of another type", async () => {
    const SEND = "mutation ($ids: [ID!]!) { sendAppDownloadMail(input: {lineIds: $ids}) { replayed } }";
    for (const id of [encodeGlobalID("Line", "1"), "garbage", uuidOf(1)]) {
      expect(await refusal(SEND, { ids: [id] })).toEqual([NOT_OUR_ID]);
    }
    expect(await refusal(SEND, { ids: [globalIdOf("Group")] })).toEqual([notAnIdOf("Line")]);
    expect(
      await refusal("mutation ($id: ID!) { resendPasswordNotice(input: {receiptId: $id}) { replayed } }", {
        id: encodeGlobalID("Receipt", "x"),
      }),
    ).toEqual([NOT_OUR_ID]);
    expect(
      await refusal("mutation ($id: ID!) { resendPasswordNotice(input: {receiptId: $id}) { replayed } }", {
        id: globalIdOf("Line"),
      }),
    ).toEqual([notAnIdOf("Receipt")]);
    expect(
      await refusal(
        "mutation ($id: ID!) { previewPermissionChange(input: {groups: [{groupId: $id, backup: true, phonebookMigration: true}]}) { totalCount } }",
        { id: encodeGlobalID("Group", "営業部") },
      ),
    ).toEqual([NOT_OUR_ID]);
  });

  it("Pothos's own refusals (an ID of another type) get our wording and a code", async () => {
    expect(
      await refusal("mutation ($id: ID!) { revokeApiToken(id: $id) { userErrors { code } } }", {
        id: encodeGlobalID("ApiToken", "x"),
      }),
    ).toEqual([NOT_OUR_ID]);
    const line = globalIdOf("Line");
    expect(
      await refusal("query ($id: ID) { lines(first: 1, filter: {groupId: $id}) { totalCount } }", {
        id: line,
      }),
    ).toEqual([notAnIdOf("Group")]);
  });
});

describe("named examples: cursors of another list, or made up, are BAD_USER_INPUT", () => {
  const CURSORS = `{
    lines(first: 1) { pageInfo { endCursor } }
    groups(first: 1) { pageInfo { endCursor } }
    receipts(first: 1) { pageInfo { endCursor } edges { node { number items(first: 1) { pageInfo { endCursor } } } } }
  }`;
  let cursors: { lines: string; groups: string; receipts: string; items: string; number: string };
  beforeAll(async () => {
    const data = await ok(CURSORS, {}, tokens.main);
    cursors = {
      lines: data.lines.pageInfo.endCursor,
      groups: data.groups.pageInfo.endCursor,
      receipts: data.receipts.pageInfo.endCursor,
      items: data.receipts.edges[0].node.items.pageInfo.endCursor,
      number: data.receipts.edges[0].node.number,
    };
  });

  it("a made-up cursor (GPC:J:[1,2], a bare id, an empty tuple) to every list", async () => {
    for (const cursor of [
      b64("GPC:J:[1,2]"),
      b64(`GPC:S:${uuidOf(1)}x`),
      b64("GPC:T:[]"),
      b64("GPC:N:1e309"),
    ]) {
      for (const list of ["lines", "groups", "receipts", "mailMessages"]) {
        expect(
          await refusal(`query ($c: String) { ${list}(first: 1, after: $c) { edges { cursor } } }`, {
            c: cursor,
          }),
          `${list} after ${cursor}`,
        ).toEqual([INVALID_CURSOR]);
      }
    }
  });

  it("what is no cursor at all, Pothos refuses: now with the code", async () => {
    for (const cursor of ["zzz", "", b64("OffsetConnection:3")]) {
      expect(
        await refusal("query ($c: String) { receipts(first: 1, after: $c) { edges { cursor } } }", {
          c: cursor,
        }),
      ).toEqual([{ message: `Invalid cursor: ${cursor}`, code: BAD_INPUT }]);
    }
  });

  it("another list's cursor: items to groups, receipts to lines, lines to a receipt's items", async () => {
    expect(
      await refusal("query ($c: String) { groups(first: 1, after: $c) { totalCount } }", {
        c: cursors.items,
      }),
    ).toEqual([INVALID_CURSOR]);
    // A single id fits the Line model's `id` too; Pothos refuses it, with its own words and our code.
    const receiptId = Buffer.from(cursors.receipts, "base64").toString().replace("GPC:S:", "");
    expect(
      await refusal("query ($c: String) { lines(first: 1, after: $c) { totalCount } }", {
        c: cursors.receipts,
      }),
    ).toEqual([
      { message: `Expected compound cursor to contain an array, but got ${receiptId}`, code: BAD_INPUT },
    ]);
    // Pothos reads a relation's page while it plans the parent's query: refused before that.
    expect(
      await refusal(
        "query ($n: String!, $c: String) { receipt(number: $n) { items(first: 1, after: $c) { totalCount } } }",
        {
          n: cursors.number,
          c: cursors.lines,
        },
      ),
    ).toEqual([INVALID_CURSOR]);
  });

  it("each list's own cursors still page", async () => {
    const page = await ok(
      `query ($l: String, $g: String, $r: String, $n: String!, $i: String) {
        lines(first: 1, after: $l) { edges { cursor } }
        groups(first: 1, after: $g) { edges { cursor } }
        receipts(last: 1, before: $r) { totalCount }
        receipt(number: $n) { items(first: 1, after: $i) { totalCount } }
      }`,
      { l: cursors.lines, g: cursors.groups, r: cursors.receipts, n: cursors.number, i: cursors.items },
      tokens.main,
    );
    expect(page.lines.edges[0].cursor).not.toBe(cursors.lines);
    expect(page.groups.edges[0].cursor).not.toBe(cursors.groups);
  });
});

describe("named examples: DateTimes outside the years 0001–9999, and API token expiries", () => {
  it.each([
    "0000-01-01T00:00:00Z",
    "-000001-01-01T00:00:00Z",
    "+275760-09-13T00:00:00.000Z",
    "9999-12-31T23:00:00-05:00",
    "2026-02-30T00:00:00Z",
    "24 November 2026",
  ])("%s, as a variable and as a literal", async (value) => {
    const asVariable = await refusal(
      "query ($d: DateTime) { lines(first: 1, filter: {lastAppDownloadMailFrom: $d}) { totalCount } }",
      { d: value },
    );
    expect(asVariable).toEqual([
      {
        message: `Variable "$d" got invalid value ${JSON.stringify(value)}; ${DATE_TIME_REFUSED}`,
        code: BAD_INPUT,
      },
    ]);
    const asLiteral = await refusal(
      `{ receipts(first: 1, filter: {receivedFrom: ${JSON.stringify(value)}}) { totalCount } }`,
    );
    expect(asLiteral).toEqual([{ message: DATE_TIME_REFUSED, code: BAD_INPUT }]);
  });

  const CREATE = `mutation ($at: DateTime) {
    createApiToken(input: {name: "expiring", scopes: [READ_LINES], expiresAt: $at}) {
      token apiToken { expiresAt } userErrors { code message field }
    }
  }`;

  it("createApiToken with an expiry in the past is refused (userError) and stores nothing", async () => {
    const before = (await ok("{ apiTokens { id } }", {}, tokens.main)).apiTokens.length;
    for (const at of ["1999-01-01T00:00:00Z", "2026-11-24T02:59:59.000Z"]) {
      expect(await ok(CREATE, { at }, tokens.main)).toEqual({
        createApiToken: {
          token: null,
          apiToken: null,
          userErrors: [{ code: "INVALID_INPUT", message: "入力内容に誤りがあります。", field: "expiresAt" }],
        },
      });
    }
    expect((await ok("{ apiTokens { id } }", {}, tokens.main)).apiTokens).toHaveLength(before);
  });

  it("beyond the year 9999 is BAD_USER_INPUT; up to its last millisecond is stored and read back", async () => {
    expect(await refusal(CREATE, { at: "+010000-01-01T00:00:00.000Z" })).toEqual([
      {
        message: `Variable "$at" got invalid value "+010000-01-01T00:00:00.000Z"; ${DATE_TIME_REFUSED}`,
        code: BAD_INPUT,
      },
    ]);
    const last = "9999-12-31T23:59:59.999Z";
    const created = await ok(CREATE, { at: last }, tokens.main);
    expect(created.createApiToken).toMatchObject({ apiToken: { expiresAt: last }, userErrors: [] });
    const tokensNow = await ok("{ apiTokens { expiresAt } }", {}, tokens.main);
    expect(tokensNow.apiTokens.map((t: { expiresAt: string | null }) => t.expiresAt)).toContain(last);
  });
});

describe("named examples: sizes no argument needs", () => {
  it("70,000 distinct line ids (more than one query may bind) are past the body limit: 413 before any parse", async () => {
    const ids = Array.from({ length: 70_000 }, (_, i) => encodeGlobalID("Line", uuidOf(i)));
    const response = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tokens.main}` },
      body: JSON.stringify({
        query: "mutation ($ids: [ID!]!) { sendAppDownloadMail(input: {lineIds: $ids}) { replayed } }",
        variables: { ids },
      }),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).errors).toEqual([
      { message: "Request body too large", extensions: { code: "REQUEST_ENTITY_TOO_LARGE" } },
    ]);
  });

  it("1,001 line ids fit the body but no list: BAD_USER_INPUT before any query", async () => {
    const ids = Array.from({ length: 1_001 }, (_, i) => encodeGlobalID("Line", uuidOf(i)));
    const TOO_MANY = { message: "List arguments hold at most 1,000 items.", code: BAD_INPUT };
    expect(
      await refusal("mutation ($ids: [ID!]!) { sendAppDownloadMail(input: {lineIds: $ids}) { replayed } }", {
        ids,
      }),
    ).toEqual([TOO_MANY]);
    expect(
      await refusal(
        "mutation ($ids: [ID!]!) { inquirePasswords(input: {lineIds: $ids}) { passwords { password } } }",
        { ids },
      ),
    ).toEqual([TOO_MANY]);
  });

  it("text past 65,536 characters anywhere, and a search past 100", async () => {
    expect(
      await refusal("query ($n: String!) { receipt(number: $n) { id } }", { n: "1".repeat(65_537) }),
    ).toEqual([{ message: "Text arguments hold at most 65,536 characters.", code: BAD_INPUT }]);
    expect(
      await refusal("query ($s: String) { lines(first: 1, filter: {search: $s}) { totalCount } }", {
        s: "あ".repeat(101),
      }),
    ).toEqual([{ message: "LineFilter.search holds at most 100 characters.", code: BAD_INPUT }]);
  });
});

describe("named examples: errors of the request itself carry a code on every transport", () => {
  it("over graphql-ws: a syntax error, and a limit of graphql-armor", async () => {
    const client = wsClient(server.wsUrl, tokens.main);
    try {
      const broken = await collect(client, "subscription { lineStatusChanged(", {});
      expect(broken.error).toMatchObject([{ extensions: { code: "GRAPHQL_PARSE_FAILED" } }]);
      const nested =
        "group { lines(first: 200) { edges { node { id group { lines(first: 200) { edges { node { id } } } } } } } }";
      const costly = await collect(client, `subscription { lineStatusChanged { ${nested} } }`, {});
      expect(costly.error).toMatchObject([
        {
          message: expect.stringMatching(/^Syntax Error: Query Cost limit of 20000 exceeded/),
          extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
        },
      ]);
    } finally {
      await client.dispose();
    }
  });

  it("over SSE: a variable of the wrong type", async () => {
    const refused = await collectSse(
      server.graphqlUrl,
      tokens.main!,
      'subscription ($seq: Int) { receiptProgress(receiptId: "x", afterSeq: $seq) { seq } }',
      { seq: 1.5 },
    );
    expect(refused.error).toMatchObject([{ extensions: { code: BAD_INPUT } }]);
  });
});

describe.each(["query", "mutation", "subscription"] as const)(
  "every %s field, with hostile arguments",
  (kind) => {
    it.each(fieldsOf(kind))("%s", async (name, field) => {
      const { arbitrary, arguments: holes } = operationArbitrary(kind, field);
      await fc.assert(
        fc.asyncProperty(arbitrary, callers, fc.boolean(), async (operation, caller, overWs) => {
          const logsBefore = errorLogs();
          // logout would end the session every other run uses: it gets a session of its own.
          const shared = tokens[caller];
          if (name === "logout" && (caller === "main" || caller === "group")) {
            tokens[caller] = await loginAs(
              server.graphqlUrl,
              caller === "main" ? "Manager@admin" : "GroupA@admin",
            );
          }
          try {
            const answer =
              kind !== "subscription"
                ? await post(operation, caller)
                : overWs
                  ? await subscribeWs(operation, caller, name)
                  : await subscribeSse(operation, caller, name);
            expectClientAnswer(answer, operation, caller, logsBefore);
          } finally {
            tokens[caller] = shared;
          }
        }),
        // A field without arguments anywhere needs a run per caller, not more.
        { seed: seedOf(name), numRuns: holes === 0 ? 4 : RUNS_PER_FIELD },
      );
    });
  },
);
