// 利用可否設定: previewPermissionChange (確認) and submitPermissionChange (決定).
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { Line } from "../prisma/generated/client/client.ts";
import {
  type ChangeError,
  previewPermissionChange,
  type PermissionChangeInput as ServiceInput,
  submitPermissionChange,
  type Target,
  type Warning,
} from "../services/permission-change.ts";
import { actorOf, builder } from "./builder.ts";
import { rawId } from "./ids.ts";
import { LineRef } from "./line.ts";
import { payloadReceipt, ReceiptRef } from "./receipt.ts";
import { type UserError, UserErrorRef } from "./user-error.ts";

const LineTargetInput = builder.inputType("LineTargetInput", {
  fields: (t) => ({
    lineId: t.id({ required: true }),
    backup: t.boolean({ required: true, description: "バックアップ機能 (save and restore together, R2)" }),
    phonebookMigration: t.boolean({ required: true, description: "電話帳移行機能" }),
    version: t.int({ description: "The line's version as shown at 確認; a changed line is refused (R5)." }),
  }),
});

const GroupTargetInput = builder.inputType("GroupTargetInput", {
  fields: (t) => ({
    groupId: t.id({ required: true }),
    backup: t.boolean({ required: true }),
    phonebookMigration: t.boolean({ required: true }),
  }),
});

const PermissionChangeInput = builder.inputType("PermissionChangeInput", {
  fields: (t) => ({
    lines: t.field({ type: [LineTargetInput], description: "Lines with their own target pair (R6)." }),
    groups: t.field({ type: [GroupTargetInput], description: "Groups: one pair for all members (R6)." }),
    idempotencyKey: t.string({ description: "A retry with the same key returns the original receipt." }),
  }),
});

function toServiceInput(input: typeof PermissionChangeInput.$inferInput): ServiceInput {
  return {
    lines: input.lines?.map((l) => ({ ...l, lineId: rawId(l.lineId, "Line") })),
    groups: input.groups?.map((g) => ({ ...g, groupId: rawId(g.groupId, "Group") })),
    idempotencyKey: input.idempotencyKey,
  };
}

export function toUserErrors(errors: ChangeError[]): UserError[] {
  return errors.map((e) => ({
    code: e.code,
    message: e.message,
    field: e.field ?? null,
    lineIds: e.lineIds.map((id) => encodeGlobalID("Line", id)),
  }));
}

const WarningRef = builder.objectRef<Warning>("Warning").implement({
  description: "Shown at 確認; does not block (R14).",
  fields: (t) => ({
    code: t.exposeString("code"),
    message: t.exposeString("message"),
    lineIds: t.idList({ resolve: (w) => w.lineIds.map((id) => encodeGlobalID("Line", id)) }),
  }),
});

const TargetRef = builder.objectRef<Target>("PermissionChangeTarget").implement({
  fields: (t) => ({
    line: t.field({ type: LineRef, resolve: (target) => target.line as Line }),
    backup: t.boolean({ resolve: (target) => target.backup }),
    phonebookMigration: t.boolean({ resolve: (target) => target.phonebookMigration }),
    sharedPhonebookWarning: t.boolean({
      description: "Migration allowed on a line that uses 共有電話帳 (R14).",
      resolve: (target) => target.phonebookMigration && target.line.sharedPhonebook,
    }),
  }),
});

interface Preview {
  targets: Target[];
  warnings: Warning[];
  userErrors: UserError[];
}

const PreviewRef = builder.objectRef<Preview>("PermissionChangePreview").implement({
  fields: (t) => ({
    lines: t.field({
      type: [TargetRef],
      description: "The expanded selection, by phone number.",
      resolve: (p) => p.targets,
    }),
    totalCount: t.int({ resolve: (p) => p.targets.length }),
    warnings: t.field({ type: [WarningRef], resolve: (p) => p.warnings }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
  }),
});

builder.mutationField("previewPermissionChange", (t) =>
  t.field({
    type: PreviewRef,
    authScopes: { scope: "CHANGE_PERMISSIONS" },
    description: "確認: expands groups, checks R3 and R5, lists R14 warnings. Writes nothing.",
    args: { input: t.arg({ type: PermissionChangeInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const preview = await previewPermissionChange(ctx.db, actorOf(ctx), toServiceInput(input));
      return {
        targets: preview.targets,
        warnings: preview.warnings,
        userErrors: toUserErrors(preview.errors),
      };
    },
  }),
);

interface SubmitPayload {
  receiptId: string | null;
  replayed: boolean;
  userErrors: UserError[];
}

const SubmitPayloadRef = builder.objectRef<SubmitPayload>("SubmitPermissionChangePayload").implement({
  fields: (t) => ({
    receipt: t.field({
      type: ReceiptRef,
      nullable: true,
      resolve: payloadReceipt,
    }),
    replayed: t.boolean({
      description: "True when the idempotencyKey matched an earlier request and its receipt is returned.",
      resolve: (p) => p.replayed,
    }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
  }),
});

builder.mutationField("submitPermissionChange", (t) =>
  t.field({
    type: SubmitPayloadRef,
    authScopes: { scope: "CHANGE_PERMISSIONS" },
    description:
      "決定: accepts the change (R3, R4, R5, R6) as one receipt; the carrier applies each line later (R7). A refused request writes nothing.",
    args: { input: t.arg({ type: PermissionChangeInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const result = await submitPermissionChange(
        ctx.db,
        ctx.clock,
        actorOf(ctx),
        ctx.settings,
        toServiceInput(input),
        { ip: ctx.ip },
      );
      if (!result.ok) return { receiptId: null, replayed: false, userErrors: toUserErrors(result.errors) };
      if (result.accepted) {
        const { event, accountId, lineIds } = result.accepted;
        ctx.realtime.pubsub.publish("receipt:event", event.receiptId, event);
        ctx.realtime.pubsub.publish("lines:changed", accountId, { lineIds });
      }
      ctx.kickWorker();
      return { receiptId: result.receiptId, replayed: result.replayed, userErrors: [] };
    },
  }),
);
