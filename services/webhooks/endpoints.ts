// Managing webhook endpoints (MAIN administrators and MANAGE_WEBHOOKS
// tokens): register (the signing secret is returned once), change, disable,
// enable, delete; redeliver one delivery, replay a time range, ping.
import { randomBytes } from "node:crypto";
import type { Actor } from "../../domain/auth/actor.ts";
import type { Clock } from "../../domain/clock.ts";
import type { Db } from "../../lib/db.ts";
import type { WebhookEndpoint } from "../../prisma/generated/client/client.ts";
import type { WebhookEventType } from "../../prisma/generated/client/enums.ts";
import { dottedType, PING_TYPE } from "./outbox.ts";
import { checkWebhookUrl, type SsrfPolicy, type UrlRefusal } from "./ssrf.ts";

export type EndpointRefusal =
  | UrlRefusal
  | "NO_EVENT_TYPES"
  | "GROUP_NOT_FOUND"
  | "NOT_FOUND"
  | "ENDPOINT_DISABLED"
  | "RANGE_INVALID";

export type Refused = { ok: false; code: EndpointRefusal; field: string | null };
const refuse = (code: EndpointRefusal, field: string | null): Refused => ({ ok: false, code, field });

/** The longest range replayWebhooks takes, and the most events one call queues. */
export const MAX_REPLAY_RANGE_MS = 7 * 86_400_000;
export const MAX_REPLAY_EVENTS = 1_000;

/** A Standard Webhooks secret: whsec_ and 32 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

export interface EndpointInput {
  url?: string | null;
  eventTypes?: WebhookEventType[] | null;
  groupId?: string | null;
}

async function checkInput(
  db: Db,
  policy: SsrfPolicy,
  actor: Actor,
  input: EndpointInput,
): Promise<Refused | null> {
  if (input.url != null) {
    const refusal = await checkWebhookUrl(policy, input.url.trim());
    if (refusal) return refuse(refusal, "url");
  }
  if (input.eventTypes != null && input.eventTypes.length === 0)
    return refuse("NO_EVENT_TYPES", "eventTypes");
  if (input.groupId) {
    const group = await db.group.findFirst({ where: { id: input.groupId, accountId: actor.accountId } });
    if (!group) return refuse("GROUP_NOT_FOUND", "groupId");
  }
  return null;
}

export async function createWebhookEndpoint(
  db: Db,
  policy: SsrfPolicy,
  clock: Clock,
  actor: Actor,
  input: { url: string; eventTypes: WebhookEventType[]; groupId?: string | null },
): Promise<{ ok: true; endpoint: WebhookEndpoint; secret: string } | Refused> {
  const refused = await checkInput(db, policy, actor, input);
  if (refused) return refused;
  const secret = newSecret();
  const endpoint = await db.webhookEndpoint.create({
    data: {
      accountId: actor.accountId,
      url: input.url.trim(),
      secret,
      eventTypes: [...new Set(input.eventTypes)],
      groupId: input.groupId ?? null,
      createdAt: clock.now(),
    },
  });
  return { ok: true, endpoint, secret };
}

export const findEndpoint = (db: Db, actor: Actor, id: string) =>
  db.webhookEndpoint.findFirst({ where: { id, accountId: actor.accountId } });

export async function updateWebhookEndpoint(
  db: Db,
  policy: SsrfPolicy,
  actor: Actor,
  id: string,
  input: EndpointInput,
): Promise<{ ok: true; endpoint: WebhookEndpoint } | Refused> {
  if (!(await findEndpoint(db, actor, id))) return refuse("NOT_FOUND", "id");
  const refused = await checkInput(db, policy, actor, input);
  if (refused) return refused;
  const endpoint = await db.webhookEndpoint.update({
    where: { id },
    data: {
      ...(input.url != null ? { url: input.url.trim() } : {}),
      ...(input.eventTypes != null ? { eventTypes: [...new Set(input.eventTypes)] } : {}),
      ...(input.groupId !== undefined ? { groupId: input.groupId } : {}),
    },
  });
  return { ok: true, endpoint };
}

/**
 * Disables (deliveries wait) or enables an endpoint. Enabling starts a new
 * failure period, resolves its notices and makes its waiting deliveries due now.
 */
export async function setWebhookEndpointEnabled(
  db: Db,
  clock: Clock,
  actor: Actor,
  id: string,
  enabled: boolean,
): Promise<{ ok: true; endpoint: WebhookEndpoint } | Refused> {
  if (!(await findEndpoint(db, actor, id))) return refuse("NOT_FOUND", "id");
  const endpoint = await db.$transaction(async (tx) => {
    if (enabled) {
      await tx.webhookNotice.updateMany({
        where: { endpointId: id, resolvedAt: null },
        data: { resolvedAt: clock.now() },
      });
      await tx.webhookDelivery.updateMany({
        where: { endpointId: id, status: "PENDING" },
        data: { nextAttemptAt: new Date() },
      });
    }
    return tx.webhookEndpoint.update({
      where: { id },
      data: enabled
        ? { disabledAt: null, disabledReason: null, failingSince: null }
        : { disabledAt: clock.now(), disabledReason: "BY_ADMINISTRATOR" },
    });
  });
  return { ok: true, endpoint };
}

export async function deleteWebhookEndpoint(db: Db, actor: Actor, id: string): Promise<boolean> {
  const deleted = await db.webhookEndpoint.deleteMany({ where: { id, accountId: actor.accountId } });
  return deleted.count > 0;
}

/** Sends a delivery's event again, with the same webhook-id: a new delivery, due now. */
export async function redeliverWebhook(db: Db, actor: Actor, deliveryId: string) {
  const delivery = await db.webhookDelivery.findFirst({
    where: { id: deliveryId, endpoint: { accountId: actor.accountId } },
  });
  if (!delivery) return refuse("NOT_FOUND", "deliveryId");
  const again = await db.webhookDelivery.create({
    data: {
      endpointId: delivery.endpointId,
      eventId: delivery.eventId,
      seq: delivery.seq,
      subject: delivery.subject,
    },
  });
  return { ok: true as const, delivery: again };
}

/**
 * Queues again, to one endpoint, the account's events of [from, to) it
 * subscribes to (types and group as now), oldest first, each with its own
 * webhook-id: at most 7 days and 1,000 events per call (`truncated` says
 * more remain: call again from the last event's time).
 */
export async function replayWebhooks(db: Db, actor: Actor, endpointId: string, from: Date, to: Date) {
  const endpoint = await findEndpoint(db, actor, endpointId);
  if (!endpoint) return refuse("NOT_FOUND", "endpointId");
  const span = to.getTime() - from.getTime();
  if (!(span > 0) || span > MAX_REPLAY_RANGE_MS) return refuse("RANGE_INVALID", "from");
  const events = await db.webhookEvent.findMany({
    where: {
      accountId: actor.accountId,
      createdAt: { gte: from, lt: to },
      type: { in: endpoint.eventTypes.map((t) => dottedType[t]) },
      ...(endpoint.groupId ? { groupIds: { has: endpoint.groupId } } : {}),
    },
    orderBy: { seq: "asc" },
    take: MAX_REPLAY_EVENTS + 1,
    select: { id: true, seq: true, subject: true },
  });
  const queued = events.slice(0, MAX_REPLAY_EVENTS);
  await db.webhookDelivery.createMany({
    data: queued.map((e) => ({ endpointId, eventId: e.id, seq: e.seq, subject: e.subject })),
  });
  return { ok: true as const, queued: queued.length, truncated: events.length > MAX_REPLAY_EVENTS };
}

/** A webhook.ping event for this endpoint alone; its delivery shows in the log like any other. */
export async function pingWebhookEndpoint(db: Db, clock: Clock, actor: Actor, endpointId: string) {
  const endpoint = await findEndpoint(db, actor, endpointId);
  if (!endpoint) return refuse("NOT_FOUND", "id");
  if (endpoint.disabledAt) return refuse("ENDPOINT_DISABLED", "id");
  const at = clock.now();
  return db.$transaction(async (tx) => {
    const event = await tx.webhookEvent.create({
      data: {
        accountId: actor.accountId,
        type: PING_TYPE,
        subject: `ping:${endpointId}`,
        groupIds: [],
        payload: { type: PING_TYPE, timestamp: at.toISOString(), data: { endpointUrl: endpoint.url } },
        createdAt: at,
      },
    });
    const delivery = await tx.webhookDelivery.create({
      data: { endpointId, eventId: event.id, seq: event.seq, subject: event.subject },
    });
    return { ok: true as const, delivery };
  });
}
