// The webhook outbox: an event is written in the transaction of the change it
// describes (a receipt accepted, an item or a receipt completed, lines
// changed, an API token created or revoked), with one delivery per endpoint
// of the account subscribed to its type, so a committed change always has its
// deliveries and a rolled-back one never does. The delivery loop
// (dispatcher.ts) sends them. Ids in the JSON are the GraphQL API's global ids.
import { encodeGlobalID } from "@pothos/plugin-relay";
import { v7 as uuidv7 } from "uuid";
import { bulkInsert } from "../../prisma/bulk.ts";
import type { Prisma } from "../../prisma/generated/client/client.ts";
import type { WebhookEventType } from "../../prisma/generated/client/enums.ts";

type Tx = Prisma.TransactionClient;

/** The JSON `type` of each event type (Standard Webhooks: dotted, lower case). */
export const dottedType: Record<WebhookEventType, string> = {
  RECEIPT_ACCEPTED: "receipt.accepted",
  RECEIPT_COMPLETED: "receipt.completed",
  RECEIPT_ITEM_COMPLETED: "receipt.item_completed",
  LINE_CHANGED: "line.changed",
  API_TOKEN_CREATED: "api_token.created",
  API_TOKEN_REVOKED: "api_token.revoked",
};

/** The type of a test ping (pingWebhookEndpoint); delivered only to the endpoint pinged. */
export const PING_TYPE = "webhook.ping";

export interface NewWebhookEvent {
  accountId: string;
  type: WebhookEventType;
  /** What it is about: deliveries of one subject to one endpoint go out in order. */
  subject: string;
  /** Groups of the lines concerned: an endpoint with a group gets only events that name it. */
  groupIds: (string | null)[];
  data: Prisma.InputJsonObject;
  at: Date;
}

/**
 * Writes events and their deliveries with `tx` (the change's own
 * transaction), in three statements however many events: the endpoints, read
 * once for all of them (an account without endpoints costs this one query and
 * the events' insert), the events, and their deliveries. A 200-line submit
 * records 201 events; one statement each was most of its acceptance time
 * (bench/README.md). Events get their seq in the order given, so events of one
 * subject recorded together are delivered in that order.
 */
export async function recordWebhookEvents(tx: Tx, events: NewWebhookEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const accountIds = [...new Set(events.map((e) => e.accountId))];
  const endpoints = await tx.webhookEndpoint.findMany({
    where: { accountId: { in: accountIds } },
    select: { id: true, accountId: true, eventTypes: true, groupId: true },
  });
  // Events nobody subscribed to are kept too: replayWebhooks can send them to an endpoint added later.
  const rows = events.map((event) => ({
    id: uuidv7(),
    accountId: event.accountId,
    type: dottedType[event.type],
    subject: event.subject,
    groupIds: [...new Set(event.groupIds.filter((g): g is string => g !== null))],
    payload: { type: dottedType[event.type], timestamp: event.at.toISOString(), data: event.data },
    createdAt: event.at,
  }));
  const seqs = await bulkInsert(tx, "WebhookEvent", rows, { returning: "seq" });
  const now = new Date();
  const deliveries = events.flatMap((event, i) => {
    const row = rows[i] as (typeof rows)[number];
    return endpoints
      .filter(
        (e) =>
          e.accountId === event.accountId &&
          e.eventTypes.includes(event.type) &&
          (e.groupId === null || row.groupIds.includes(e.groupId)),
      )
      .map((e) => ({
        id: uuidv7(),
        endpointId: e.id,
        eventId: row.id,
        seq: seqs[i],
        subject: event.subject,
        nextAttemptAt: now,
        createdAt: now,
      }));
  });
  await bulkInsert(tx, "WebhookDelivery", deliveries);
  return deliveries.length;
}

const gid = (type: string, id: string) => encodeGlobalID(type, id);

/**
 * receipt.accepted: the receipt and its lines. `lineGroupIds`, the groups of
 * its lines, when the caller has them already; read otherwise.
 */
export async function receiptAcceptedEvent(
  tx: Tx,
  receipt: { id: string; accountId: string; number: string; kind: string; lineIds: string[]; at: Date },
  lineGroupIds?: (string | null)[],
): Promise<NewWebhookEvent> {
  const groupIds =
    lineGroupIds ??
    (await tx.line.findMany({ where: { id: { in: receipt.lineIds } }, select: { groupId: true } })).map(
      (l) => l.groupId,
    );
  return {
    accountId: receipt.accountId,
    type: "RECEIPT_ACCEPTED",
    subject: `receipt:${receipt.id}`,
    groupIds,
    at: receipt.at,
    data: {
      receipt: {
        id: gid("Receipt", receipt.id),
        number: receipt.number,
        kind: receipt.kind,
        status: "PROCESSING",
      },
      lineIds: receipt.lineIds.map((id) => gid("Line", id)),
    },
  };
}

/** What line.changed shows of a line: the fields an MDM tool syncs (`version` increases on every change). */
export const lineChangedColumns = {
  id: true,
  accountId: true,
  groupId: true,
  phoneNumber: true,
  version: true,
  status: true,
  contractStatus: true,
  backup: true,
  phonebookMigration: true,
  lastAppDownloadMailAt: true,
} as const satisfies Prisma.LineSelect;

export type LineChangedState = Prisma.LineGetPayload<{ select: typeof lineChangedColumns }>;

/** line.changed for each line, as read after the change (lineChangedEvents), or as the change returned it. */
export function lineChangedEventsOf(lines: LineChangedState[], at: Date): NewWebhookEvent[] {
  return lines.map((line) => ({
    accountId: line.accountId,
    type: "LINE_CHANGED" as const,
    subject: `line:${line.id}`,
    groupIds: [line.groupId],
    at,
    data: {
      line: {
        id: gid("Line", line.id),
        phoneNumber: line.phoneNumber,
        version: line.version,
        status: line.status,
        contractStatus: line.contractStatus,
        backup: line.backup,
        phonebookMigration: line.phonebookMigration,
        groupId: line.groupId ? gid("Group", line.groupId) : null,
        lastAppDownloadMailAt: line.lastAppDownloadMailAt?.toISOString() ?? null,
      },
    },
  }));
}

/** line.changed for each line, read in its state after the change. */
export async function lineChangedEvents(tx: Tx, lineIds: string[], at: Date): Promise<NewWebhookEvent[]> {
  if (lineIds.length === 0) return [];
  const lines = await tx.line.findMany({
    where: { id: { in: lineIds } },
    orderBy: { id: "asc" },
    select: lineChangedColumns,
  });
  return lineChangedEventsOf(lines, at);
}

/**
 * receipt.item_completed for an item just finished, and receipt.completed
 * when it closed its receipt.
 */
export async function itemCompletedEvents(
  tx: Tx,
  itemId: string,
  at: Date,
  receiptClosed: boolean,
): Promise<NewWebhookEvent[]> {
  const item = await tx.receiptItem.findUniqueOrThrow({
    where: { id: itemId },
    include: { receipt: true, line: { select: { groupId: true } } },
  });
  const { receipt } = item;
  const receiptData = { id: gid("Receipt", receipt.id), number: receipt.number, kind: receipt.kind };
  const events: NewWebhookEvent[] = [
    {
      accountId: receipt.accountId,
      type: "RECEIPT_ITEM_COMPLETED",
      subject: `receipt:${receipt.id}`,
      groupIds: [item.line.groupId],
      at,
      data: {
        receipt: receiptData,
        item: {
          id: gid("ReceiptItem", item.id),
          status: item.status,
          line: { id: gid("Line", item.lineId), phoneNumber: item.phoneNumber },
          error: item.errorCode ? { code: item.errorCode, message: item.errorMessage } : null,
        },
      },
    },
  ];
  if (receiptClosed) {
    const lines = await tx.receiptItem.findMany({
      where: { receiptId: receipt.id },
      select: { line: { select: { groupId: true } } },
    });
    const counts = await tx.receiptItem.groupBy({
      by: ["status"],
      where: { receiptId: receipt.id },
      _count: true,
    });
    const count = (status: string) => counts.find((c) => c.status === status)?._count ?? 0;
    events.push({
      accountId: receipt.accountId,
      type: "RECEIPT_COMPLETED",
      subject: `receipt:${receipt.id}`,
      groupIds: lines.map((l) => l.line.groupId),
      at,
      data: {
        receipt: {
          ...receiptData,
          status: receipt.status,
          completedAt: receipt.completedAt?.toISOString() ?? null,
          succeeded: count("SUCCEEDED"),
          failed: count("FAILED"),
        },
      },
    });
  }
  return events;
}

/** api_token.created / api_token.revoked (never the secret). */
export function apiTokenEvent(
  type: "API_TOKEN_CREATED" | "API_TOKEN_REVOKED",
  token: { id: string; accountId: string; name: string; scopes: string[] },
  at: Date,
): NewWebhookEvent {
  return {
    accountId: token.accountId,
    type,
    subject: `apiToken:${token.id}`,
    groupIds: [],
    at,
    data: { apiToken: { id: gid("ApiToken", token.id), name: token.name, scopes: token.scopes } },
  };
}
