// 利用可否設定: previewPermissionChange (確認) and submitPermissionChange (決定).
import { encodeGlobalID } from "@pothos/plugin-relay";
import { authErrorMessages } from "../domain/messages.ts";
import type { Line } from "../prisma/generated/client/client.ts";
import {
  type ExpandedGroup,
  previewPermissionChange,
  type PermissionChangeInput as ServiceInput,
  submitPermissionChange,
  type Target,
  type Warning,
} from "../services/permission-change.ts";
import {
  checkPreviewToken,
  encodePreviewToken,
  MAX_PREVIEW_TOKEN_LENGTH,
} from "../services/preview-token.ts";
import type { ChangeError } from "../services/receipts.ts";
import { retryFailedItems } from "../services/retry-failed.ts";
import { actorOf, builder } from "./builder.ts";
import { GroupRef } from "./group.ts";
import { IDEMPOTENCY_KEY_DESCRIPTION, idempotencyKey } from "./idempotency.ts";
import { LineRef } from "./line.ts";
import { payloadReceipt, ReceiptItemRef, ReceiptRef } from "./receipt.ts";
import { type UserError, UserErrorRef } from "./user-error.ts";

const LineTargetInput = builder.inputType("LineTargetInput", {
  description: "One line and its target pair (R6).",
  fields: (t) => ({
    lineId: t.globalID({ for: LineRef, required: true, description: "The line (Line.id)." }),
    backup: t.boolean({
      required: true,
      description: "Allow the backup feature (バックアップ機能: save and restore together, R2).",
    }),
    phonebookMigration: t.boolean({
      required: true,
      description: "Allow the phonebook migration feature (電話帳移行機能).",
    }),
    version: t.int({
      description:
        "The line's version as shown at 確認 (PermissionChangeTarget.version); a changed line is refused with CONFLICT (R5, R18).",
    }),
  }),
});

const GroupTargetInput = builder.inputType("GroupTargetInput", {
  description: "グループから選択: a group, and one target pair for all its members (R6).",
  fields: (t) => ({
    groupId: t.globalID({ for: GroupRef, required: true, description: "The group (Group.id)." }),
    backup: t.boolean({
      required: true,
      description: "Allow the backup feature (バックアップ機能) on every member.",
    }),
    phonebookMigration: t.boolean({
      required: true,
      description: "Allow the phonebook migration feature (電話帳移行機能) on every member.",
    }),
  }),
});

const PermissionChangeInput = builder.inputType("PermissionChangeInput", {
  description:
    "利用可否設定: lines and groups with their target pairs; at most 200 lines once groups are expanded (R3).",
  fields: (t) => ({
    lines: t.field({ type: [LineTargetInput], description: "Lines with their own target pair (R6)." }),
    groups: t.field({ type: [GroupTargetInput], description: "Groups: one pair for all members (R6)." }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION, validate: idempotencyKey }),
    previewToken: t.string({
      description: `The previewToken of the 確認 this input was confirmed with (R18; at most ${MAX_PREVIEW_TOKEN_LENGTH} characters). Every expanded line must still have the version, and every group the members, that the preview saw, or the request is refused with CONFLICT; unlike lines' own versions it also covers group members. It must describe this input (the same lines and groups with the same pairs), or PREVIEW_TOKEN_MISMATCH; INVALID_PREVIEW_TOKEN when it does not decode.`,
    }),
  }),
});

/** The input as the service takes it, or the user error of a preview token that does not fit it (R18). */
function toServiceInput(
  input: typeof PermissionChangeInput.$inferInput,
): { ok: true; input: ServiceInput } | { ok: false; userErrors: UserError[] } {
  const serviceInput: ServiceInput = {
    lines: input.lines?.map((l) => ({ ...l, lineId: l.lineId.id })),
    groups: input.groups?.map((g) => ({ ...g, groupId: g.groupId.id })),
    idempotencyKey: input.idempotencyKey ?? null,
  };
  if (input.previewToken == null) return { ok: true, input: serviceInput };
  const check = checkPreviewToken(input.previewToken, serviceInput);
  if (!check.ok) {
    return {
      ok: false,
      userErrors: [
        { code: check.code, message: authErrorMessages.INVALID_INPUT, field: "previewToken", lineIds: [] },
      ],
    };
  }
  return { ok: true, input: { ...serviceInput, seenAtPreview: check.seen } };
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
    code: t.exposeString("code", { description: "Stable, for programs: SHARED_PHONEBOOK." }),
    message: t.exposeString("message", { description: "The manual's caution, in Japanese (R14)." }),
    lineIds: t.idList({
      description: "The lines the warning is about.",
      resolve: (w) => w.lineIds.map((id) => encodeGlobalID("Line", id)),
    }),
  }),
});

const TargetRef = builder.objectRef<Target>("PermissionChangeTarget").implement({
  description: "One line of the expanded selection at 確認, with its target pair.",
  fields: (t) => ({
    line: t.field({
      type: LineRef,
      description: "The line, as the preview read it.",
      resolve: (target) => target.line as Line,
    }),
    backup: t.boolean({
      description: "Target: the backup feature (バックアップ機能).",
      resolve: (target) => target.backup,
    }),
    phonebookMigration: t.boolean({
      description: "Target: the phonebook migration feature (電話帳移行機能).",
      resolve: (target) => target.phonebookMigration,
    }),
    version: t.int({
      description: "The line's version this preview saw; send it back as LineTargetInput.version (R18).",
      resolve: (target) => target.line.version,
    }),
    sharedPhonebookWarning: t.boolean({
      description: "Migration allowed on a line that uses 共有電話帳 (R14).",
      resolve: (target) => target.phonebookMigration && target.line.sharedPhonebook,
    }),
  }),
});

interface Preview {
  targets: Target[];
  groups: ExpandedGroup[];
  warnings: Warning[];
  userErrors: UserError[];
}

const PreviewRef = builder.objectRef<Preview>("PermissionChangePreview").implement({
  description: "previewPermissionChange's answer (確認): what 決定 would accept, or why not.",
  fields: (t) => ({
    lines: t.field({
      type: [TargetRef],
      description: "The expanded selection, by phone number.",
      resolve: (p) => p.targets,
    }),
    totalCount: t.int({
      description: "対象回線: how many lines (groups expanded).",
      resolve: (p) => p.targets.length,
    }),
    previewToken: t.string({
      nullable: true,
      description:
        "What this preview saw (each expanded line's version, each group's members), to pass as PermissionChangeInput.previewToken at 決定 (R18). Opaque; null when the preview has userErrors.",
      resolve: (p) =>
        p.userErrors.length > 0
          ? null
          : encodePreviewToken({
              groups: p.groups,
              lines: p.targets.map((t) => ({
                lineId: t.line.id,
                version: t.line.version,
                backup: t.backup,
                phonebookMigration: t.phonebookMigration,
                chosen: t.source === "line",
              })),
            }),
    }),
    warnings: t.field({
      type: [WarningRef],
      description: "Cautions that do not block (R14).",
      resolve: (p) => p.warnings,
    }),
    userErrors: t.field({
      type: [UserErrorRef],
      description: "Why 決定 would refuse it (R3, R5, R16…); empty when it would be accepted.",
      resolve: (p) => p.userErrors,
    }),
  }),
});

builder.mutationField("previewPermissionChange", (t) =>
  t.field({
    type: PreviewRef,
    authScopes: { scope: "CHANGE_PERMISSIONS" },
    description:
      "確認: expands groups, checks R3, R5 and R16, lists R14 warnings, returns the versions it saw and a previewToken (R18). Writes nothing.",
    args: {
      input: t.arg({
        type: PermissionChangeInput,
        required: true,
        description: "The lines and groups with their targets.",
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const serviceInput = toServiceInput(input);
      if (!serviceInput.ok)
        return { targets: [], groups: [], warnings: [], userErrors: serviceInput.userErrors };
      const preview = await previewPermissionChange(ctx.services.db, actorOf(ctx), serviceInput.input);
      return {
        targets: preview.targets,
        groups: preview.groups,
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
  description: "submitPermissionChange's answer (決定 → 完了): the receipt, or why not.",
  fields: (t) => ({
    receipt: t.prismaField({
      type: "Receipt",
      nullable: true,
      description: "The receipt accepted (受付番号); null with userErrors.",
      resolve: payloadReceipt,
    }),
    replayed: t.boolean({
      description:
        "True when the idempotencyKey matched this caller's earlier request and its receipt is returned (R17).",
      resolve: (p) => p.replayed,
    }),
    userErrors: t.field({
      type: [UserErrorRef],
      description: "Why nothing was accepted (R3, R4, R5, R16, R17, R18); empty on success.",
      resolve: (p) => p.userErrors,
    }),
  }),
});

builder.mutationField("submitPermissionChange", (t) =>
  t.field({
    type: SubmitPayloadRef,
    authScopes: { scope: "CHANGE_PERMISSIONS" },
    description:
      "決定: accepts the change (R3, R4, R5, R6, R16, R18) as one receipt; the carrier applies each line later (R7). A refused request writes nothing.",
    args: {
      input: t.arg({
        type: PermissionChangeInput,
        required: true,
        description: "The lines and groups with their targets.",
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const serviceInput = toServiceInput(input);
      if (!serviceInput.ok) return { receiptId: null, replayed: false, userErrors: serviceInput.userErrors };
      const result = await submitPermissionChange(
        ctx.services.db,
        ctx.services.clock,
        ctx.services.events,
        actorOf(ctx),
        ctx.services.settings,
        serviceInput.input,
        { ip: ctx.ip },
      );
      if (!result.ok) return { receiptId: null, replayed: false, userErrors: toUserErrors(result.errors) };
      return { receiptId: result.receiptId, replayed: result.replayed, userErrors: [] };
    },
  }),
);

const RetryFailedItemsInput = builder.inputType("RetryFailedItemsInput", {
  description: "異常終了分を再設定: the failed items of a permission change to retry (R19).",
  fields: (t) => ({
    receiptId: t.globalID({
      for: ReceiptRef,
      required: true,
      description: "The permission change whose failed items are retried.",
    }),
    itemIds: t.globalIDList({
      for: ReceiptItemRef,
      description:
        "Failed items of that receipt to retry; when omitted, its failed items that no retry took up yet (Receipt.retryableItemCount; NOTHING_TO_RETRY when there are none). An item of another receipt is NOT_FOUND, one that did not fail ITEM_NOT_FAILED; an empty list is NO_LINES_SELECTED (R3).",
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION, validate: idempotencyKey }),
  }),
});

const RetryPayloadRef = builder.objectRef<SubmitPayload>("RetryFailedItemsPayload").implement({
  description: "retryFailedItems' answer: the new receipt, or why not.",
  fields: (t) => ({
    receipt: t.prismaField({
      type: "Receipt",
      nullable: true,
      description: "The new receipt; its resendOf is the receipt retried.",
      resolve: payloadReceipt,
    }),
    replayed: t.boolean({
      description:
        "True when the idempotencyKey matched this caller's earlier request and its receipt is returned (R17).",
      resolve: (p) => p.replayed,
    }),
    userErrors: t.field({
      type: [UserErrorRef],
      description:
        "Why nothing was retried (NOTHING_TO_RETRY, ITEM_NOT_FAILED, CONFLICT…); empty on success.",
      resolve: (p) => p.userErrors,
    }),
  }),
});

builder.mutationField("retryFailedItems", (t) =>
  t.field({
    type: RetryPayloadRef,
    authScopes: { scope: "CHANGE_PERMISSIONS" },
    description:
      "R19 異常終了分を再設定: a new permission change for the failed items of a receipt (all, or those chosen), with their original targets, linked to it (resendOf / resends). Accepted as submitPermissionChange is (R3, R4, R16, R17); a line changed since its original was accepted, or with a change in flight, is a CONFLICT (R5). A refused request writes nothing.",
    args: {
      input: t.arg({
        type: RetryFailedItemsInput,
        required: true,
        description: "The receipt and its failed items.",
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const result = await retryFailedItems(
        ctx.services.db,
        ctx.services.clock,
        ctx.services.events,
        actorOf(ctx),
        ctx.services.settings,
        {
          receiptId: input.receiptId.id,
          itemIds: input.itemIds?.map((item) => item.id) ?? null,
          idempotencyKey: input.idempotencyKey ?? null,
        },
        { ip: ctx.ip },
      );
      if (!result.ok) return { receiptId: null, replayed: false, userErrors: toUserErrors(result.errors) };
      return { receiptId: result.receiptId, replayed: result.replayed, userErrors: [] };
    },
  }),
);
