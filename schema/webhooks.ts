// Webhook endpoints, their delivery log and the disabled-endpoint notices
// (services/webhooks/): MAIN administrators and MANAGE_WEBHOOKS tokens.
import { encodeGlobalID } from "@pothos/plugin-relay";
import { hasScope } from "../domain/auth/actor.ts";
import { webhookMessages } from "../domain/messages.ts";
import { WebhookDeliveryStatus, WebhookEventType } from "../prisma/generated/client/enums.ts";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  type EndpointRefusal,
  pingWebhookEndpoint,
  redeliverWebhook,
  replayWebhooks,
  setWebhookEndpointEnabled,
  updateWebhookEndpoint,
} from "../services/webhooks/endpoints.ts";
import { actorOf, builder, type Context, NO_ACCOUNT } from "./builder.ts";
import { PAGE_LIMIT } from "./connection-args.ts";
import { GroupRef } from "./group.ts";
import { nodeAccess } from "./node-access.ts";
import { type UserError, UserErrorRef } from "./user-error.ts";

const MANAGE = { scope: "MANAGE_WEBHOOKS" } as const;

export const WebhookEventTypeEnum = builder.enumType(WebhookEventType, {
  name: "WebhookEventType",
  description:
    "What a webhook endpoint subscribes to; the JSON `type` is the dotted form (receipt.completed).",
});
const WebhookDeliveryStatusEnum = builder.enumType(WebhookDeliveryStatus, {
  name: "WebhookDeliveryStatus",
  description:
    "PENDING: not delivered yet (retried); SUCCEEDED: a 2xx answer; FAILED: given up after the retry horizon.",
});

const policy = (ctx: Context) => ({ allowedHosts: ctx.services.webhooks?.allowedHosts ?? [] });
const kick = (ctx: Context) => ctx.services.webhooks?.kick();
const userError = (code: EndpointRefusal, field: string | null): UserError => ({
  code,
  message: webhookMessages[code],
  field,
});

export const WebhookEndpointRef = builder.prismaNode("WebhookEndpoint", {
  nullable: true,
  id: { field: "id" },
  description: "A receiver of the account's events (Standard Webhooks).",
  findUnique: (id, ctx) => ({ id, accountId: ctx.actor?.accountId ?? NO_ACCOUNT }),
  extensions: nodeAccess((actor) => hasScope(actor, "MANAGE_WEBHOOKS")),
  fields: (t) => ({
    url: t.exposeString("url"),
    eventTypes: t.expose("eventTypes", { type: [WebhookEventTypeEnum] }),
    group: t.prismaField({
      type: "Group",
      nullable: true,
      description: "Only events about lines of this group; null: every event.",
      resolve: (query, endpoint, _args, ctx) =>
        endpoint.groupId
          ? ctx.services.db.group.findUnique({ ...query, where: { id: endpoint.groupId } })
          : null,
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    disabledAt: t.expose("disabledAt", { type: "DateTime", nullable: true }),
    disabledReason: t.exposeString("disabledReason", {
      nullable: true,
      description: "FAILING (failed for WEBHOOK_DISABLE_AFTER_MS without a success) or BY_ADMINISTRATOR.",
    }),
    failingSince: t.expose("failingSince", {
      type: "DateTime",
      nullable: true,
      description: "The first failed attempt since the last success.",
    }),
    lastSuccessAt: t.expose("lastSuccessAt", { type: "DateTime", nullable: true }),
  }),
});
void GroupRef;

const WebhookAttemptRef = builder.prismaObject("WebhookAttempt", {
  description: "One HTTP attempt of a delivery.",
  fields: (t) => ({
    at: t.expose("at", { type: "DateTime" }),
    statusCode: t.exposeInt("statusCode", {
      nullable: true,
      description: "Null: no answer (timeout, refused).",
    }),
    latencyMs: t.exposeInt("latencyMs"),
    error: t.exposeString("error", { nullable: true }),
  }),
});
void WebhookAttemptRef;

export const WebhookDeliveryRef = builder.prismaNode("WebhookDelivery", {
  nullable: true,
  id: { field: "id" },
  description: "One event for one endpoint, with its attempts.",
  findUnique: (id, ctx) => ({ id, endpoint: { accountId: ctx.actor?.accountId ?? NO_ACCOUNT } }),
  extensions: nodeAccess((actor) => hasScope(actor, "MANAGE_WEBHOOKS")),
  fields: (t) => ({
    webhookId: t.exposeString("eventId", {
      description: "The webhook-id header: the same for every attempt and redelivery of the event.",
    }),
    eventType: t.string({
      select: { event: { select: { type: true } } },
      description: "The JSON type (receipt.completed, webhook.ping …).",
      resolve: (d) => d.event.type,
    }),
    status: t.expose("status", { type: WebhookDeliveryStatusEnum }),
    attempts: t.exposeInt("attempts"),
    lastStatusCode: t.exposeInt("lastStatusCode", { nullable: true }),
    lastLatencyMs: t.exposeInt("lastLatencyMs", { nullable: true }),
    lastError: t.exposeString("lastError", { nullable: true }),
    lastAttemptAt: t.expose("lastAttemptAt", { type: "DateTime", nullable: true }),
    nextAttemptAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When it is tried next; null once delivered or failed.",
      select: { nextAttemptAt: true, status: true },
      resolve: (d) => (d.status === "PENDING" ? d.nextAttemptAt : null),
    }),
    deliveredAt: t.expose("deliveredAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    attemptLog: t.relation("attemptsLog", {
      description: "The latest attempts (up to 20), newest first.",
      query: { orderBy: [{ at: "desc" }, { id: "desc" }], take: 20 },
    }),
  }),
});

builder.queryField("webhookEndpoints", (t) =>
  t.prismaConnection({
    type: "WebhookEndpoint",
    cursor: "id",
    authScopes: MANAGE,
    description: "The account's webhook endpoints, oldest first.",
    defaultSize: 20,
    maxSize: PAGE_LIMIT,
    resolve: (query, _root, _args, ctx) =>
      ctx.services.db.webhookEndpoint.findMany({
        ...query,
        where: { accountId: actorOf(ctx).accountId },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      }),
  }),
);

builder.queryField("webhookDeliveries", (t) =>
  t.prismaConnection({
    type: "WebhookDelivery",
    cursor: "id",
    authScopes: MANAGE,
    description: "An endpoint's delivery log, newest first: attempts, status codes, latency, next retry.",
    defaultSize: 20,
    maxSize: PAGE_LIMIT,
    args: { endpointId: t.arg.globalID({ required: true, for: [WebhookEndpointRef] }) },
    resolve: (query, _root, args, ctx) =>
      ctx.services.db.webhookDelivery.findMany({
        ...query,
        where: { endpointId: args.endpointId.id, endpoint: { accountId: actorOf(ctx).accountId } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      }),
  }),
);

builder.prismaObject("WebhookNotice", {
  description: "Told to MAIN administrators (here and by mail): an endpoint was disabled after failing.",
  fields: (t) => ({
    id: t.exposeID("id"),
    message: t.exposeString("message"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    mailedAt: t.expose("mailedAt", { type: "DateTime", nullable: true }),
    endpoint: t.relation("endpoint"),
  }),
});

builder.queryField("webhookNotices", (t) =>
  t.prismaField({
    type: ["WebhookNotice"],
    authScopes: MANAGE,
    description: "Endpoints disabled after failing and not enabled since, newest first (at most 50).",
    resolve: (query, _root, _args, ctx) =>
      ctx.services.db.webhookNotice.findMany({
        ...query,
        where: { accountId: actorOf(ctx).accountId, resolvedAt: null },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: 50,
      }),
  }),
);

interface EndpointPayload {
  endpointId?: string | null;
  secret?: string | null;
  userErrors: UserError[];
}

function endpointPayload(name: string, withSecret = false) {
  const ref = builder.objectRef<EndpointPayload>(name).implement({
    fields: (t) => ({
      endpoint: t.prismaField({
        type: "WebhookEndpoint",
        nullable: true,
        resolve: (query, p, _args, ctx) =>
          p.endpointId
            ? ctx.services.db.webhookEndpoint.findUnique({ ...query, where: { id: p.endpointId } })
            : null,
      }),
      ...(withSecret
        ? {
            secret: t.string({
              nullable: true,
              description:
                "The signing secret (whsec_…), for standardwebhooks' Webhook.verify. Shown this once.",
              resolve: (p) => p.secret ?? null,
            }),
          }
        : {}),
      userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
    }),
  });
  return ref;
}

const CreateWebhookEndpointInput = builder.inputType("CreateWebhookEndpointInput", {
  fields: (t) => ({
    url: t.string({ required: true, description: "https URL (http only for WEBHOOK_ALLOWED_HOSTS)." }),
    eventTypes: t.field({ type: [WebhookEventTypeEnum], required: true }),
    groupId: t.globalID({
      required: false,
      for: [GroupRef],
      description: "Only events about this group's lines.",
    }),
  }),
});

builder.mutationField("createWebhookEndpoint", (t) =>
  t.field({
    type: endpointPayload("CreateWebhookEndpointPayload", true),
    authScopes: MANAGE,
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const created = await createWebhookEndpoint(
        ctx.services.db,
        policy(ctx),
        ctx.services.clock,
        actorOf(ctx),
        {
          url: input.url,
          eventTypes: input.eventTypes,
          groupId: input.groupId?.id ?? null,
        },
      );
      if (!created.ok) return { userErrors: [userError(created.code, created.field)] };
      return { endpointId: created.endpoint.id, secret: created.secret, userErrors: [] };
    },
  }),
);

const UpdateWebhookEndpointInput = builder.inputType("UpdateWebhookEndpointInput", {
  fields: (t) => ({
    id: t.globalID({ required: true, for: [WebhookEndpointRef] }),
    url: t.string({ required: false }),
    eventTypes: t.field({ type: [WebhookEventTypeEnum], required: false }),
    groupId: t.globalID({ required: false, for: [GroupRef], description: "null: every group." }),
  }),
});

builder.mutationField("updateWebhookEndpoint", (t) =>
  t.field({
    type: endpointPayload("UpdateWebhookEndpointPayload"),
    authScopes: MANAGE,
    args: { input: t.arg({ type: UpdateWebhookEndpointInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const updated = await updateWebhookEndpoint(ctx.services.db, policy(ctx), actorOf(ctx), input.id.id, {
        url: input.url,
        eventTypes: input.eventTypes,
        ...(input.groupId !== undefined ? { groupId: input.groupId?.id ?? null } : {}),
      });
      if (!updated.ok) return { userErrors: [userError(updated.code, updated.field)] };
      return { endpointId: updated.endpoint.id, userErrors: [] };
    },
  }),
);

for (const [name, enabled] of [
  ["disableWebhookEndpoint", false],
  ["enableWebhookEndpoint", true],
] as const) {
  builder.mutationField(name, (t) =>
    t.field({
      type: endpointPayload(`${name[0]?.toUpperCase()}${name.slice(1)}Payload`),
      authScopes: MANAGE,
      description: enabled
        ? "Resumes deliveries (waiting ones go out in order) and resolves its notices."
        : "Stops deliveries; events keep being recorded and wait.",
      args: { id: t.arg.globalID({ required: true, for: [WebhookEndpointRef] }) },
      resolve: async (_root, { id }, ctx) => {
        const done = await setWebhookEndpointEnabled(
          ctx.services.db,
          ctx.services.clock,
          actorOf(ctx),
          id.id,
          enabled,
        );
        if (!done.ok) return { userErrors: [userError(done.code, done.field)] };
        kick(ctx);
        return { endpointId: done.endpoint.id, userErrors: [] };
      },
    }),
  );
}

const DeleteWebhookEndpointPayload = builder
  .objectRef<{ deletedId: string | null; userErrors: UserError[] }>("DeleteWebhookEndpointPayload")
  .implement({
    fields: (t) => ({
      deletedId: t.id({ nullable: true, resolve: (p) => p.deletedId }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
    }),
  });

builder.mutationField("deleteWebhookEndpoint", (t) =>
  t.field({
    type: DeleteWebhookEndpointPayload,
    authScopes: MANAGE,
    args: { id: t.arg.globalID({ required: true, for: [WebhookEndpointRef] }) },
    resolve: async (_root, { id }, ctx) =>
      (await deleteWebhookEndpoint(ctx.services.db, actorOf(ctx), id.id))
        ? { deletedId: encodeGlobalID("WebhookEndpoint", id.id), userErrors: [] }
        : { deletedId: null, userErrors: [userError("NOT_FOUND", "id")] },
  }),
);

const DeliveryPayload = builder
  .objectRef<{ deliveryId?: string; userErrors: UserError[] }>("WebhookDeliveryPayload")
  .implement({
    fields: (t) => ({
      delivery: t.prismaField({
        type: "WebhookDelivery",
        nullable: true,
        resolve: (query, p, _args, ctx) =>
          p.deliveryId
            ? ctx.services.db.webhookDelivery.findUnique({ ...query, where: { id: p.deliveryId } })
            : null,
      }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
    }),
  });

builder.mutationField("redeliverWebhook", (t) =>
  t.field({
    type: DeliveryPayload,
    authScopes: MANAGE,
    description: "Sends the delivery's event again (same webhook-id), as a new delivery.",
    args: { deliveryId: t.arg.globalID({ required: true, for: [WebhookDeliveryRef] }) },
    resolve: async (_root, { deliveryId }, ctx) => {
      const done = await redeliverWebhook(ctx.services.db, actorOf(ctx), deliveryId.id);
      if (!done.ok) return { userErrors: [userError(done.code, done.field)] };
      kick(ctx);
      return { deliveryId: done.delivery.id, userErrors: [] };
    },
  }),
);

builder.mutationField("pingWebhookEndpoint", (t) =>
  t.field({
    type: DeliveryPayload,
    authScopes: MANAGE,
    description: "Sends a webhook.ping event to this endpoint alone; follow it in webhookDeliveries.",
    args: { id: t.arg.globalID({ required: true, for: [WebhookEndpointRef] }) },
    resolve: async (_root, { id }, ctx) => {
      const done = await pingWebhookEndpoint(ctx.services.db, ctx.services.clock, actorOf(ctx), id.id);
      if (!done.ok) return { userErrors: [userError(done.code, done.field)] };
      kick(ctx);
      return { deliveryId: done.delivery.id, userErrors: [] };
    },
  }),
);

const ReplayWebhooksPayload = builder
  .objectRef<{ queued: number; truncated: boolean; userErrors: UserError[] }>("ReplayWebhooksPayload")
  .implement({
    fields: (t) => ({
      queued: t.exposeInt("queued", { description: "Deliveries queued (at most 1,000 per call)." }),
      truncated: t.exposeBoolean("truncated", {
        description: "More events lie in the range: call again from the last one's time.",
      }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
    }),
  });

builder.mutationField("replayWebhooks", (t) =>
  t.field({
    type: ReplayWebhooksPayload,
    authScopes: MANAGE,
    description:
      "Queues again the events of [from, to) the endpoint subscribes to (at most 7 days), oldest first.",
    args: {
      endpointId: t.arg.globalID({ required: true, for: [WebhookEndpointRef] }),
      from: t.arg({ type: "DateTime", required: true }),
      to: t.arg({ type: "DateTime", required: true }),
    },
    resolve: async (_root, args, ctx) => {
      const done = await replayWebhooks(
        ctx.services.db,
        actorOf(ctx),
        args.endpointId.id,
        args.from,
        args.to,
      );
      if (!done.ok) return { queued: 0, truncated: false, userErrors: [userError(done.code, done.field)] };
      kick(ctx);
      return { queued: done.queued, truncated: done.truncated, userErrors: [] };
    },
  }),
);
