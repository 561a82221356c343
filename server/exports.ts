// CSV出力 over plain HTTP, beside /graphql (issue 17 point 3):
//
//   GET /export/lines.csv?view=permissions|appMail|passwords&<LineFilter>&orderBy=<LineOrderField>&direction=ASC|DESC&encoding=utf8|sjis
//   GET /export/receipts.csv?view=history|passwordMails&<ReceiptFilter>&encoding=…
//   GET /export/receipts/<受付番号>/items.csv?<ReceiptItemFilter>&encoding=…
//   GET /export/audit.csv?<AuditEventFilter>&encoding=…   (監査ログ: READ_AUDIT)
//
// The filters are the GraphQL filters' fields as query parameters, lists once
// per value (the web client sends the variables of the list it shows), read
// by the same code the API's lists use (lineFilterWhere, receiptFilterWhere,
// receiptItemFilterWhere; lines in the API's sort orders). Authentication
// is the API's (Authorization: Bearer, sessions and API tokens alike), so is
// what a caller may see (services/exports.ts applies the scopes; API tokens
// need READ_LINES or READ_RECEIPTS) and its rate-limit budget: an export
// costs EXPORT_COST points. Refusals are JSON: { error: { code, message,
// parameter? } }.
//
// The file streams: services/exports.ts reads a page of rows when the
// previous one has been handed to the socket (stream/promises' pipeline waits
// for 'drain'), so a slow client slows the reading instead of filling memory,
// and a client that goes away ends it. Once the first bytes are out an error
// can no longer be a status: the response is cut (no final chunk), so the
// client sees a failed download rather than a short file.
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { GraphQLError } from "graphql";
import { z } from "zod";
import { type Actor, hasScope } from "../domain/auth/actor.ts";
import type { Clock } from "../domain/clock.ts";
import { authErrorMessages, exportErrorMessages, filterErrorMessages } from "../domain/messages.ts";
import { isReversedRange, MAX_SEARCH_LENGTH } from "../domain/search.ts";
import type { Db } from "../lib/db.ts";
import type { Logger } from "../lib/logger.ts";
import type { ApiScope } from "../prisma/generated/client/enums.ts";
import {
  ContractStatus,
  DeviceKind,
  LineStatus,
  ReceiptItemStatus,
  ReceiptKind,
  ReceiptStatus,
} from "../prisma/generated/client/enums.ts";
import { decodeNodeId } from "../schema/ids.ts";
import {
  LINE_ORDER_FIELDS,
  type LineOrder,
  lineCursor,
  orderByFor,
  orderSelection,
  parseLineCursor,
  pastPosition,
} from "../schema/line-order.ts";
import { receiptFilterWhere, receiptItemFilterWhere } from "../schema/receipt.ts";
import { AUDIT_ACTIONS, auditExport, resolveAuditFilter } from "../services/audit-log.ts";
import {
  CSV_CHARSETS,
  CSV_ENCODINGS,
  type CsvExport,
  csvBytes,
  LINE_EXPORT_VIEWS,
  type LineWalk,
  lineExport,
  RECEIPT_EXPORT_VIEWS,
  receiptExport,
  receiptItemsExport,
} from "../services/exports.ts";
import { lineFilterWhere } from "../services/line-filter.ts";
import { budgetKey, type RateLimits } from "../services/rate-limits.ts";

export const EXPORT_PATH_PREFIX = "/export/";

/**
 * What an export costs of its caller's rate-limit budget (server/rate-limit.ts):
 * as much as 14 pages of the line list as the web client asks for them (73
 * points each). Budgets count requests, not rows: a 100,000-line export reads
 * 100 pages of 1,000, and MAX_EXPORTS_PER_CREDENTIAL keeps such work to a
 * few at a time.
 */
export const EXPORT_COST = 1_000;

/** Exports one session or API token may run at the same time on an instance; more are refused (EXPORT_BUSY). */
export const MAX_EXPORTS_PER_CREDENTIAL = 2;

export interface ExportRoutesOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The API's own authentication of an Authorization header (server/app.ts). */
  authenticate: (header: string | null) => Promise<Actor | null>;
  clientAddress: (req: IncomingMessage) => string | null;
  rateLimits: RateLimits | null;
  /** True (and logged) when `error` means the database cannot be reached. */
  reportOutage: (error: unknown, during: string) => boolean;
}

interface Refusal {
  status: number;
  code: string;
  message: string;
  parameter?: string;
  headers?: Record<string, string>;
}

class RefusedError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.code);
  }
}

const badParameter = (parameter: string, message: string = exportErrorMessages.BAD_USER_INPUT) =>
  new RefusedError({ status: 400, code: "BAD_USER_INPUT", message, parameter });

/** A period given backwards, refused as the API refuses it (DATE_RANGE_REVERSED). */
const reversedPeriod = (parameter: string) =>
  badParameter(parameter, filterErrorMessages.DATE_RANGE_REVERSED);

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

const flag = z.enum(["true", "false"]).transform((value) => value === "true");
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
/** A global id of `typename`, decoded as the API decodes it (schema/ids.ts). */
const globalId = (typename: string) =>
  z
    .string()
    .max(200)
    .transform((value, ctx) => {
      try {
        const decoded = decodeNodeId(value);
        if (decoded.typename === typename) return decoded;
      } catch {}
      ctx.addIssue({ code: "custom", message: `not the ID of a ${typename}` });
      return z.NEVER;
    });
const encoding = z.enum(CSV_ENCODINGS).default("utf8");

/** LineFilter's fields (schema/line.ts) and the list's order, bounded as the API bounds them. */
const lineParameters = z.strictObject({
  encoding,
  view: z.enum(LINE_EXPORT_VIEWS).default("permissions"),
  orderBy: z.enum(LINE_ORDER_FIELDS).default("PHONE_NUMBER"),
  direction: z.enum(["ASC", "DESC"]).default("ASC"),
  search: z.string().max(MAX_SEARCH_LENGTH).optional(),
  // 選択中のみ表示: the selection's lines (the API's bound: 200).
  ids: z.array(globalId("Line")).max(200).optional(),
  deviceKinds: z.array(z.enum(DeviceKind)).max(Object.keys(DeviceKind).length).optional(),
  groupId: globalId("Group").optional(),
  ungrouped: flag.optional(),
  status: z.enum(LineStatus).optional(),
  deviceKind: z.enum(DeviceKind).optional(),
  contractStatus: z.enum(ContractStatus).optional(),
  lastAppDownloadMailFrom: instant.optional(),
  lastAppDownloadMailTo: instant.optional(),
  appDownloadMailNeverSent: flag.optional(),
  outOfService: flag.optional(),
});

/** ReceiptFilter's fields (schema/receipt.ts). */
const receiptParameters = z.strictObject({
  encoding,
  view: z.enum(RECEIPT_EXPORT_VIEWS).default("history"),
  kind: z.enum(ReceiptKind).optional(),
  status: z.enum(ReceiptStatus).optional(),
  adminId: globalId("Administrator").optional(),
  receivedFrom: instant.optional(),
  receivedTo: instant.optional(),
  number: z.string().max(32).optional(),
});

/** ReceiptItemFilter's fields (履歴詳細's 指定なし/検索/クリア). */
const itemParameters = z.strictObject({
  encoding,
  statuses: z.array(z.enum(ReceiptItemStatus)).max(Object.keys(ReceiptItemStatus).length).optional(),
  phoneNumber: z.string().max(MAX_SEARCH_LENGTH).optional(),
});

/** AuditEventFilter's fields (schema/audit-log.ts): 監査ログ's 期間, 操作, 管理者, 電話番号. */
const auditParameters = z.strictObject({
  encoding,
  from: instant.optional(),
  to: instant.optional(),
  actor: z
    .string()
    .max(200)
    .transform((value, ctx) => {
      try {
        const decoded = decodeNodeId(value);
        if (decoded.typename === "Administrator") return { kind: "ADMINISTRATOR" as const, id: decoded.id };
        if (decoded.typename === "ApiToken") return { kind: "API_TOKEN" as const, id: decoded.id };
      } catch {}
      ctx.addIssue({ code: "custom", message: "not the ID of an Administrator or ApiToken" });
      return z.NEVER;
    })
    .optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  lineId: globalId("Line").optional(),
  phoneNumber: z.string().max(32).optional(),
});

/**
 * The query parameters each export reads: every field of the API's filter
 * (test/api/exports.test.ts holds them to it, so a new filter field is not
 * forgotten here) and the export's own.
 */
export const EXPORT_PARAMETERS = {
  lines: Object.keys(lineParameters.shape),
  receipts: Object.keys(receiptParameters.shape),
  receiptItems: Object.keys(itemParameters.shape),
  audit: Object.keys(auditParameters.shape),
};

/** Parameters that are lists: given once per value (deviceKinds=IPHONE&deviceKinds=SMARTPHONE). */
const LIST_PARAMETERS = new Set(["ids", "deviceKinds", "statuses"]);

/**
 * The query string by `schema`: lists once per value, anything else at most
 * once, nothing unknown; else 400 naming the first parameter at fault.
 */
function readParameters<S extends z.ZodType>(schema: S, query: URLSearchParams): z.output<S> {
  const given: Record<string, string | string[]> = {};
  for (const [name, value] of query) {
    const before = given[name];
    if (LIST_PARAMETERS.has(name)) given[name] = [...((before as string[] | undefined) ?? []), value];
    else if (before !== undefined) throw badParameter(name);
    else given[name] = value;
  }
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const parameter =
    issue?.code === "unrecognized_keys"
      ? issue.keys[0]
      : issue?.path[0] !== undefined
        ? String(issue.path[0])
        : "";
  throw badParameter(parameter ?? "");
}

// ---------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------

interface Route {
  /** For logs. */
  name: string;
  scope: ApiScope;
  /** The file, or null when there is nothing the caller may see there (404). */
  build(
    actor: Actor,
    query: URLSearchParams,
    now: Date,
  ): Promise<{ file: CsvExport; encoding: "utf8" | "sjis" } | null>;
}

function routes(db: Db): { match(path: string): Route | null } {
  const lines: Route = {
    name: "lines",
    scope: "READ_LINES",
    async build(actor, query, now) {
      const { encoding, view, orderBy, direction, ...filter } = readParameters(lineParameters, query);
      if (isReversedRange(filter.lastAppDownloadMailFrom, filter.lastAppDownloadMailTo)) {
        throw reversedPeriod("lastAppDownloadMailTo");
      }
      const walk = lineWalk({ field: orderBy, direction });
      return { file: lineExport(db, actor, { filters: lineFilterWhere(filter), view, now, walk }), encoding };
    },
  };
  const receipts: Route = {
    name: "receipts",
    scope: "READ_RECEIPTS",
    async build(actor, query, now) {
      const { encoding, view, ...filter } = readParameters(receiptParameters, query);
      if (isReversedRange(filter.receivedFrom, filter.receivedTo)) throw reversedPeriod("receivedTo");
      return { file: receiptExport(db, actor, { filters: receiptFilterWhere(filter), view, now }), encoding };
    },
  };
  const items = (number: string): Route => ({
    name: "receiptItems",
    scope: "READ_RECEIPTS",
    async build(actor, query, now) {
      const { encoding, ...filter } = readParameters(itemParameters, query);
      if (!/^\d{16}$/.test(number)) throw badParameter("number");
      const file = await receiptItemsExport(db, actor, {
        number,
        filters: [receiptItemFilterWhere(filter)],
        now,
      });
      return file && { file, encoding };
    },
  });
  const auditLog: Route = {
    name: "audit",
    scope: "READ_AUDIT",
    async build(actor, query, now) {
      const { encoding, lineId, ...given } = readParameters(auditParameters, query);
      if (isReversedRange(given.from, given.to)) throw reversedPeriod("to");
      const filter = await resolveAuditFilter(db, actor, { ...given, lineId: lineId?.id });
      return { file: auditExport(db, actor, { filter, now }), encoding };
    },
  };
  return {
    match(path) {
      if (path === "/export/lines.csv") return lines;
      if (path === "/export/audit.csv") return auditLog;
      if (path === "/export/receipts.csv") return receipts;
      const number = /^\/export\/receipts\/([^/]{1,64})\/items\.csv$/.exec(path)?.[1];
      if (number === undefined) return null;
      let decoded: string;
      try {
        decoded = decodeURIComponent(number);
      } catch {
        decoded = number;
      }
      return items(decoded);
    },
  };
}

/**
 * The screen's sort order as the export walks it: the API's ORDER BY and
 * keyset (schema/line-order.ts), a row's place read the way a cursor reads it.
 */
function lineWalk(order: LineOrder): LineWalk {
  return {
    orderBy: orderByFor(order, false),
    select: orderSelection(order),
    after: (row) => pastPosition(order, parseLineCursor(order, lineCursor(order, row)), false),
  };
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

/** RFC 6266 with RFC 5987's filename* for the Japanese name; an ASCII name for older clients. */
export function contentDisposition(fileName: string, asciiFileName: string): string {
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${asciiFileName}"; filename*=UTF-8''${encoded}`;
}

function sendRefusal(res: ServerResponse, refusal: Refusal) {
  const { status, headers, ...error } = refusal;
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(JSON.stringify({ error }));
}

export function createExportRoutes(options: ExportRoutesOptions) {
  const { db, clock, logger, rateLimits } = options;
  const table = routes(db);
  /** Exports running per credential (budget key), on this instance. */
  const running = new Map<string, number>();

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = table.match(url.pathname);
    if (!route) {
      throw new RefusedError({ status: 404, code: "NOT_FOUND", message: authErrorMessages.NOT_FOUND });
    }
    if (req.method !== "GET") {
      throw new RefusedError({
        status: 405,
        code: "METHOD_NOT_ALLOWED",
        message: exportErrorMessages.METHOD_NOT_ALLOWED,
        headers: { allow: "GET" },
      });
    }
    const actor = await options.authenticate(req.headers.authorization ?? null);
    if (!actor) {
      throw new RefusedError({
        status: 401,
        code: "UNAUTHENTICATED",
        message: authErrorMessages.UNAUTHENTICATED,
        headers: { "www-authenticate": "Bearer" },
      });
    }
    if (!hasScope(actor, route.scope)) {
      throw new RefusedError({ status: 403, code: "FORBIDDEN", message: authErrorMessages.FORBIDDEN });
    }
    const now = clock.now();
    const built = await route.build(actor, url.searchParams, now);
    if (!built) {
      throw new RefusedError({ status: 404, code: "NOT_FOUND", message: authErrorMessages.NOT_FOUND });
    }
    const key = budgetKey(actor, options.clientAddress(req));
    if ((running.get(key) ?? 0) >= MAX_EXPORTS_PER_CREDENTIAL) {
      throw new RefusedError({ status: 429, code: "EXPORT_BUSY", message: exportErrorMessages.EXPORT_BUSY });
    }
    const budget = rateLimits ? await rateLimits.spend(key, EXPORT_COST) : null;
    const budgetHeaders: Record<string, string> = budget
      ? {
          "ratelimit-limit": String(budget.limit),
          "ratelimit-remaining": String(budget.remaining),
          "ratelimit-reset": String(Math.ceil(budget.msBeforeReset / 1000)),
          "ratelimit-policy": `${rateLimits?.points};w=${rateLimits?.windowSeconds}`,
        }
      : {};
    if (budget && !budget.allowed) {
      throw new RefusedError({
        status: 429,
        code: "RATE_LIMITED",
        message: exportErrorMessages.RATE_LIMITED,
        headers: {
          ...budgetHeaders,
          "retry-after": String(Math.max(1, Math.ceil(budget.msBeforeReset / 1000))),
        },
      });
    }

    const { file, encoding } = built;
    running.set(key, (running.get(key) ?? 0) + 1);
    const begun = Date.now();
    let rows = 0;
    const facts = () => ({ export: route.name, encoding, rows, ms: Date.now() - begun });
    try {
      res.writeHead(200, {
        "content-type": `text/csv; charset=${CSV_CHARSETS[encoding]}`,
        "content-disposition": contentDisposition(file.fileName, file.asciiFileName),
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        ...budgetHeaders,
      });
      await pipeline(
        csvBytes(file, encoding, (n) => {
          rows += n;
        }),
        res,
      );
      logger.info(facts(), "export finished");
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_STREAM_PREMATURE_CLOSE") {
        // The client went away (or the server stops): the reading has stopped with it.
        logger.info(facts(), "export stopped: the response was closed before the end");
        return;
      }
      if (!options.reportOutage(error, "export")) logger.error({ err: error, ...facts() }, "export failed");
      // The status is sent: cut the response so the client sees a failed download, not a short file.
      res.destroy();
    } finally {
      const left = (running.get(key) ?? 1) - 1;
      if (left > 0) running.set(key, left);
      else running.delete(key);
    }
  }

  return async function handleExport(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await serve(req, res);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof RefusedError) return sendRefusal(res, error.refusal);
      // A filter the API's own code refuses (e.g. a bad search) is bad input here too.
      if (error instanceof GraphQLError && error.extensions.code === "BAD_USER_INPUT") {
        return sendRefusal(res, { status: 400, code: "BAD_USER_INPUT", message: error.message });
      }
      if (options.reportOutage(error, "export")) {
        return sendRefusal(res, {
          status: 503,
          code: "SERVICE_UNAVAILABLE",
          message: exportErrorMessages.SERVICE_UNAVAILABLE,
          headers: { "retry-after": "5" },
        });
      }
      logger.error({ err: error }, "export failed");
      sendRefusal(res, { status: 500, code: "INTERNAL_SERVER_ERROR", message: "Unexpected error." });
    }
  };
}
