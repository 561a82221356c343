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
    "What a webhook endpoint subscribes to (イベント種別); the JSON `type` is the dotted form (receipt.completed).",
  values: {
    RECEIPT_ACCEPTED: {
      description:
        "receipt.accepted (受付): a request (permission change or mail) was accepted; data: receipt {id, number, kind, status: PROCESSING} and lineIds.",
    },
    RECEIPT_COMPLETED: {
      description:
        "receipt.completed (処理完了): every line of a receipt is done; data: receipt {id, number, kind, status, completedAt, succeeded, failed}, the last two counting lines.",
    },
    RECEIPT_ITEM_COMPLETED: {
      description:
        "receipt.item_completed (回線ごとの処理完了): one line of a receipt is done; data: receipt {id, number, kind} and item {id, status, line {id, phoneNumber}, error {code, message} or null}.",
    },
    LINE_CHANGED: {
      description:
        "line.changed (回線の変更): a line's state after a change; data: line {id, phoneNumber, version, status, contractStatus, backup, phonebookMigration, groupId, lastAppDownloadMailAt}; version increases on every change of the line.",
    },
    API_TOKEN_CREATED: {
      description:
        "api_token.created (APIトークン発行): data: apiToken {id, name, scopes}, never its secret. Not sent to endpoints limited to a group.",
    },
    API_TOKEN_REVOKED: {
      description:
        "api_token.revoked (APIトークン失効): data: apiToken {id, name, scopes}. Not sent to endpoints limited to a group.",
    },
  },
});
const WebhookDeliveryStatusEnum = builder.enumType(WebhookDeliveryStatus, {
  name: "WebhookDeliveryStatus",
  description:
    "PENDING: not delivered yet (retried); SUCCEEDED: a 2xx answer; FAILED: given up after the retry horizon.",
  values: {
    PENDING: {
      description:
        "Not delivered yet: waiting for its next attempt (nextAttemptAt), for an earlier event of the same subject to the same endpoint, or for a disabled endpoint to be enabled again.",
    },
    SUCCEEDED: { description: "An attempt got a 2xx answer (deliveredAt); no more attempts." },
    FAILED: {
      description:
        "No 2xx answer within WEBHOOK_RETRY_HORIZON_MS (default 3 days) of the first attempt; no more attempts. redeliverWebhook or replayWebhooks send the event again.",
    },
  },
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
    url: t.exposeString("url", {
      description:
        "送信先URL: where events are POSTed (https; http only for hosts in WEBHOOK_ALLOWED_HOSTS).",
    }),
    eventTypes: t.expose("eventTypes", {
      type: [WebhookEventTypeEnum],
      description: "イベント種別: the event types sent to it (at least one, each once).",
    }),
    group: t.prismaField({
      type: "Group",
      nullable: true,
      description:
        "対象グループ: only events about lines of this group (then no API token events); null: every event (すべて).",
      resolve: (query, endpoint, _args, ctx) =>
        endpoint.groupId
          ? ctx.services.db.group.findUnique({ ...query, where: { id: endpoint.groupId } })
          : null,
    }),
    createdAt: t.expose("createdAt", {
      type: "DateTime",
      description: "When the endpoint was registered.",
    }),
    disabledAt: t.expose("disabledAt", {
      type: "DateTime",
      nullable: true,
      description:
        "When it was disabled (停止中); null while active. Its deliveries wait while disabled and go out, in order, once it is enabled again.",
    }),
    disabledReason: t.exposeString("disabledReason", {
      nullable: true,
      description:
        "停止理由: FAILING (failed for WEBHOOK_DISABLE_AFTER_MS without a success) or BY_ADMINISTRATOR; null while active.",
    }),
    failingSince: t.expose("failingSince", {
      type: "DateTime",
      nullable: true,
      description:
        "失敗が続いている期間 from: the first failed attempt since the last success; null while the last attempt succeeded, and after enableWebhookEndpoint.",
    }),
    lastSuccessAt: t.expose("lastSuccessAt", {
      type: "DateTime",
      nullable: true,
      description: "最終送信成功日時: the last attempt answered with a 2xx; null if none yet.",
    }),
  }),
});
void GroupRef;

const WebhookAttemptRef = builder.prismaObject("WebhookAttempt", {
  description: "One HTTP attempt of a delivery.",
  fields: (t) => ({
    at: t.expose("at", { type: "DateTime", description: "When the attempt was made." }),
    statusCode: t.exposeInt("statusCode", {
      nullable: true,
      description: "Null: no answer (timeout, refused).",
    }),
    latencyMs: t.exposeInt("latencyMs", {
      description:
        "Milliseconds from sending the request to the answer, timeout or error; 0 when the SSRF guard refused the address before connecting.",
    }),
    error: t.exposeString("error", {
      nullable: true,
      description:
        "Why it failed: `HTTP <status>` for a non-2xx answer, a timeout, a connection error or a refused address (at most 500 characters); null on success.",
    }),
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
    status: t.expose("status", {
      type: WebhookDeliveryStatusEnum,
      description: "PENDING, SUCCEEDED or FAILED.",
    }),
    attempts: t.exposeInt("attempts", {
      description: "How many HTTP attempts were made so far (0 before the first).",
    }),
    lastStatusCode: t.exposeInt("lastStatusCode", {
      nullable: true,
      description: "The last attempt's HTTP status; null before the first attempt or when it got no answer.",
    }),
    lastLatencyMs: t.exposeInt("lastLatencyMs", {
      nullable: true,
      description:
        "The last attempt's latency in milliseconds (WebhookAttempt.latencyMs); null before the first.",
    }),
    lastError: t.exposeString("lastError", {
      nullable: true,
      description:
        "Why the last attempt failed (WebhookAttempt.error); null before the first attempt and after a success.",
    }),
    lastAttemptAt: t.expose("lastAttemptAt", {
      type: "DateTime",
      nullable: true,
      description: "When the last attempt was made; null before the first.",
    }),
    nextAttemptAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When it is tried next; null once delivered or failed.",
      select: { nextAttemptAt: true, status: true },
      resolve: (d) => (d.status === "PENDING" ? d.nextAttemptAt : null),
    }),
    deliveredAt: t.expose("deliveredAt", {
      type: "DateTime",
      nullable: true,
      description: "When an attempt got a 2xx answer; null unless SUCCEEDED.",
    }),
    createdAt: t.expose("createdAt", {
      type: "DateTime",
      description:
        "When the delivery was queued: with the change that made the event, or by redeliverWebhook, replayWebhooks or pingWebhookEndpoint.",
    }),
    attemptLog: t.relation("attemptsLog", {
      description: "The latest attempts (up to 20), newest first.",
      query: { orderBy: [{ at: "desc" }, { id: "desc" }], take: 20 },
    }),
  }),
});

builder.queryField("webhookEndpoints", (t) =>
  t.prismaConnection(
    {
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
    },
    {
      name: "WebhookEndpointConnection",
      description: "A page of the account's webhook endpoints, oldest first (20 by default, at most 200).",
    },
    { description: "One webhook endpoint, with its cursor." },
  ),
);

builder.queryField("webhookDeliveries", (t) =>
  t.prismaConnection(
    {
      type: "WebhookDelivery",
      cursor: "id",
      authScopes: MANAGE,
      description: "An endpoint's delivery log, newest first: attempts, status codes, latency, next retry.",
      defaultSize: 20,
      maxSize: PAGE_LIMIT,
      args: {
        endpointId: t.arg.globalID({
          required: true,
          for: [WebhookEndpointRef],
          description: "The endpoint (WebhookEndpoint.id); another account's endpoint gives an empty page.",
        }),
      },
      resolve: (query, _root, args, ctx) =>
        ctx.services.db.webhookDelivery.findMany({
          ...query,
          where: { endpointId: args.endpointId.id, endpoint: { accountId: actorOf(ctx).accountId } },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        }),
    },
    {
      name: "WebhookDeliveryConnection",
      description: "A page of an endpoint's delivery log, newest first (20 by default, at most 200).",
    },
    { description: "One delivery of the log, with its cursor." },
  ),
);

builder.prismaObject("WebhookNotice", {
  description: "Told to MAIN administrators (here and by mail): an endpoint was disabled after failing.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The notice's id (not a global id: notices are not nodes)." }),
    message: t.exposeString("message", {
      description:
        "Webhookのお知らせ: the Japanese text shown on every screen and mailed, naming the URL and since when it failed.",
    }),
    createdAt: t.expose("createdAt", {
      type: "DateTime",
      description: "When the endpoint was disabled (and the notice made).",
    }),
    mailedAt: t.expose("mailedAt", {
      type: "DateTime",
      nullable: true,
      description:
        "When the mail to the MAIN administrators was sent; null until then, or when sending failed.",
    }),
    endpoint: t.relation("endpoint", { description: "The disabled endpoint." }),
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

function endpointPayload(name: string, description: string, withSecret = false) {
  const ref = builder.objectRef<EndpointPayload>(name).implement({
    description,
    fields: (t) => ({
      endpoint: t.prismaField({
        type: "WebhookEndpoint",
        nullable: true,
        description: "The endpoint as it is now; null when userErrors is not empty.",
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
      userErrors: t.field({
        type: [UserErrorRef],
        description: "Why nothing was done (code, Japanese message, field); empty on success.",
        resolve: (p) => p.userErrors,
      }),
    }),
  });
  return ref;
}

const CreateWebhookEndpointInput = builder.inputType("CreateWebhookEndpointInput", {
  description: "A new webhook endpoint (送信先): where to send which events.",
  fields: (t) => ({
    url: t.string({ required: true, description: "https URL (http only for WEBHOOK_ALLOWED_HOSTS)." }),
    eventTypes: t.field({
      type: [WebhookEventTypeEnum],
      required: true,
      description: "イベント種別: at least one (NO_EVENT_TYPES otherwise), at most 6; repeats count once.",
    }),
    groupId: t.globalID({
      required: false,
      for: [GroupRef],
      description: "対象グループ: only events about this group's lines; left out or null: every event.",
    }),
  }),
});

builder.mutationField("createWebhookEndpoint", (t) =>
  t.field({
    type: endpointPayload(
      "CreateWebhookEndpointPayload",
      "The result of createWebhookEndpoint: the endpoint and its signing secret, or userErrors.",
      true,
    ),
    authScopes: MANAGE,
    description:
      "Registers a webhook endpoint. The URL must be https (http only for WEBHOOK_ALLOWED_HOSTS) and is refused when its host resolves to an internal address (SSRF guard). Returns the signing secret, this once.",
    args: {
      input: t.arg({
        type: CreateWebhookEndpointInput,
        required: true,
        description: "The URL, event types and optional group.",
      }),
    },
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
  description: "Changes to a webhook endpoint: fields left out stay as they are.",
  fields: (t) => ({
    id: t.globalID({
      required: true,
      for: [WebhookEndpointRef],
      description: "The endpoint to change (WebhookEndpoint.id).",
    }),
    url: t.string({
      required: false,
      description: "送信先URL, checked as at registration; left out or null: unchanged.",
    }),
    eventTypes: t.field({
      type: [WebhookEventTypeEnum],
      required: false,
      description: "イベント種別: at least one, at most 6; left out or null: unchanged.",
    }),
    groupId: t.globalID({
      required: false,
      for: [GroupRef],
      description:
        "対象グループ: only events about this group's lines; null: every group; left out: unchanged.",
    }),
  }),
});

builder.mutationField("updateWebhookEndpoint", (t) =>
  t.field({
    type: endpointPayload(
      "UpdateWebhookEndpointPayload",
      "The result of updateWebhookEndpoint: the changed endpoint, or userErrors.",
    ),
    authScopes: MANAGE,
    description:
      "Changes an endpoint's URL, event types or group; its secret, state and delivery log stay. The URL is checked as at registration.",
    args: {
      input: t.arg({
        type: UpdateWebhookEndpointInput,
        required: true,
        description: "The endpoint and what to change.",
      }),
    },
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
      type: endpointPayload(
        `${name[0]?.toUpperCase()}${name.slice(1)}Payload`,
        `The result of ${name}: the endpoint as it is now, or userErrors.`,
      ),
      authScopes: MANAGE,
      description: enabled
        ? "Resumes deliveries (waiting ones go out in order) and resolves its notices."
        : "Stops deliveries; events keep being recorded and wait.",
      args: {
        id: t.arg.globalID({
          required: true,
          for: [WebhookEndpointRef],
          description: `The endpoint to ${enabled ? "enable" : "disable"} (WebhookEndpoint.id).`,
        }),
      },
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
    description: "The result of deleteWebhookEndpoint: the deleted endpoint's id, or userErrors.",
    fields: (t) => ({
      deletedId: t.id({
        nullable: true,
        description:
          "The deleted endpoint's global id (drop it from caches); null when userErrors is not empty.",
        resolve: (p) => p.deletedId,
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: "Why nothing was deleted (NOT_FOUND); empty on success.",
        resolve: (p) => p.userErrors,
      }),
    }),
  });

builder.mutationField("deleteWebhookEndpoint", (t) =>
  t.field({
    type: DeleteWebhookEndpointPayload,
    authScopes: MANAGE,
    description:
      "Deletes an endpoint with its delivery log and notices; its pending deliveries are dropped. Events stay recorded.",
    args: {
      id: t.arg.globalID({
        required: true,
        for: [WebhookEndpointRef],
        description: "The endpoint to delete (WebhookEndpoint.id).",
      }),
    },
    resolve: async (_root, { id }, ctx) =>
      (await deleteWebhookEndpoint(ctx.services.db, actorOf(ctx), id.id))
        ? { deletedId: encodeGlobalID("WebhookEndpoint", id.id), userErrors: [] }
        : { deletedId: null, userErrors: [userError("NOT_FOUND", "id")] },
  }),
);

const DeliveryPayload = builder
  .objectRef<{ deliveryId?: string; userErrors: UserError[] }>("WebhookDeliveryPayload")
  .implement({
    description: "The result of redeliverWebhook or pingWebhookEndpoint: the new delivery, or userErrors.",
    fields: (t) => ({
      delivery: t.prismaField({
        type: "WebhookDelivery",
        nullable: true,
        description:
          "The new delivery (PENDING; follow it in webhookDeliveries); null when userErrors is not empty.",
        resolve: (query, p, _args, ctx) =>
          p.deliveryId
            ? ctx.services.db.webhookDelivery.findUnique({ ...query, where: { id: p.deliveryId } })
            : null,
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: "Why nothing was sent (NOT_FOUND, ENDPOINT_DISABLED); empty on success.",
        resolve: (p) => p.userErrors,
      }),
    }),
  });

builder.mutationField("redeliverWebhook", (t) =>
  t.field({
    type: DeliveryPayload,
    authScopes: MANAGE,
    description: "Sends the delivery's event again (same webhook-id), as a new delivery.",
    args: {
      deliveryId: t.arg.globalID({
        required: true,
        for: [WebhookDeliveryRef],
        description: "The delivery to send again (WebhookDelivery.id), in any status.",
      }),
    },
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
    args: {
      id: t.arg.globalID({
        required: true,
        for: [WebhookEndpointRef],
        description:
          "The endpoint to ping (WebhookEndpoint.id); refused (ENDPOINT_DISABLED) while it is disabled.",
      }),
    },
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
    description: "The result of replayWebhooks: how many deliveries were queued, or userErrors.",
    fields: (t) => ({
      queued: t.exposeInt("queued", { description: "Deliveries queued (at most 1,000 per call)." }),
      truncated: t.exposeBoolean("truncated", {
        description: "More events lie in the range: call again from the last one's time.",
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: "Why nothing was queued (NOT_FOUND, RANGE_INVALID); empty on success.",
        resolve: (p) => p.userErrors,
      }),
    }),
  });

builder.mutationField("replayWebhooks", (t) =>
  t.field({
    type: ReplayWebhooksPayload,
    authScopes: MANAGE,
    description:
      "Queues again the events of [from, to) the endpoint subscribes to (at most 7 days), oldest first.",
    args: {
      endpointId: t.arg.globalID({
        required: true,
        for: [WebhookEndpointRef],
        description:
          "The endpoint to send them to (WebhookEndpoint.id); its current event types and group choose the events.",
      }),
      from: t.arg({
        type: "DateTime",
        required: true,
        description: "Start of the range, inclusive (when the events happened).",
      }),
      to: t.arg({
        type: "DateTime",
        required: true,
        description:
          "End of the range, exclusive: after `from` and at most 7 days later (RANGE_INVALID otherwise).",
      }),
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
