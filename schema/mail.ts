// アプリダウンロード依頼メール, My SoftBankパスワード通知／照会, resends, and the outbox.
import type { Line } from "../prisma/generated/client/client.ts";
import { MailKind, MailStatus } from "../prisma/generated/client/enums.ts";
import {
  inquirePasswords,
  type MailReceiptKind,
  type MailRequestResult,
  requestMail,
  resendMail,
  type Skipped,
} from "../services/mail-requests.ts";
import { actorOf, builder } from "./builder.ts";
import { PAGE_LIMIT } from "./connection-args.ts";
import { IDEMPOTENCY_KEY_DESCRIPTION, idempotencyKey } from "./idempotency.ts";
import { LineRef } from "./line.ts";
import { toUserErrors } from "./permission-change.ts";
import { payloadReceipt, ReceiptItemRef, ReceiptRef } from "./receipt.ts";
import { type UserError, UserErrorRef } from "./user-error.ts";

const SkippedRef = builder.objectRef<Skipped>("SkippedLine").implement({
  description: "A selected line that needs no mail (R9, R10); not an error.",
  fields: (t) => ({
    line: t.field({ type: LineRef, resolve: (s) => s.line as Line }),
    code: t.exposeString("code"),
    reason: t.exposeString("reason"),
  }),
});

interface MailPayload {
  receiptId: string | null;
  replayed: boolean;
  skipped: Skipped[];
  userErrors: UserError[];
}

const MailPayloadRef = builder.objectRef<MailPayload>("MailRequestPayload").implement({
  fields: (t) => ({
    receipt: t.prismaField({ type: "Receipt", nullable: true, resolve: payloadReceipt }),
    replayed: t.boolean({
      description:
        "True when the idempotencyKey matched this caller's earlier request and its receipt is returned (R17).",
      resolve: (p) => p.replayed,
    }),
    skipped: t.field({ type: [SkippedRef], resolve: (p) => p.skipped }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
  }),
});

function toPayload(result: MailRequestResult): MailPayload {
  if (!result.ok) {
    return {
      receiptId: null,
      replayed: false,
      skipped: result.skipped,
      userErrors: toUserErrors(result.errors),
    };
  }
  return { receiptId: result.receiptId, replayed: result.replayed, skipped: result.skipped, userErrors: [] };
}

const SendMailInput = builder.inputType("SendMailInput", {
  fields: (t) => ({
    lineIds: t.globalIDList({ for: LineRef, required: true }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION, validate: idempotencyKey }),
  }),
});

const ResendMailInput = builder.inputType("ResendMailInput", {
  fields: (t) => ({
    receiptId: t.globalID({ for: ReceiptRef, required: true }),
    itemIds: t.globalIDList({
      for: ReceiptItemRef,
      description: "Items to resend; all of the receipt's items when omitted.",
    }),
  }),
});

function sendField(name: string, kind: MailReceiptKind, description: string) {
  builder.mutationField(name, (t) =>
    t.field({
      type: MailPayloadRef,
      authScopes: { scope: "SEND_MAIL" },
      description,
      args: { input: t.arg({ type: SendMailInput, required: true }) },
      resolve: async (_root, { input }, ctx) =>
        toPayload(
          await requestMail(
            ctx.services.db,
            ctx.services.clock,
            ctx.services.events,
            actorOf(ctx),
            kind,
            {
              lineIds: input.lineIds.map((line) => line.id),
              idempotencyKey: input.idempotencyKey ?? null,
            },
            { ip: ctx.ip },
          ),
        ),
    }),
  );
}

function resendField(name: string, kind: MailReceiptKind, description: string) {
  builder.mutationField(name, (t) =>
    t.field({
      type: MailPayloadRef,
      authScopes: { scope: "SEND_MAIL" },
      description,
      args: { input: t.arg({ type: ResendMailInput, required: true }) },
      resolve: async (_root, { input }, ctx) =>
        toPayload(
          await resendMail(
            ctx.services.db,
            ctx.services.clock,
            ctx.services.events,
            actorOf(ctx),
            kind,
            {
              receiptId: input.receiptId.id,
              itemIds: input.itemIds?.map((item) => item.id),
            },
            { ip: ctx.ip },
          ),
        ),
    }),
  );
}

sendField(
  "sendAppDownloadMail",
  "APP_DOWNLOAD_MAIL",
  "R9: up to 200 lines; smartphones and iPhones get the あんしんバックアップ URL, Windows 10 Mobile the 連絡先コピー URL; 4G feature phones and preinstalled apps are skipped. A selection holding a 3G line is refused (R16).",
);
sendField(
  "sendPasswordNotice",
  "PASSWORD_NOTICE_MAIL",
  "R10: My SoftBank password notice mail to up to 200 lines; Windows 10 Mobile is skipped. A selection holding a 3G line is refused (R16).",
);
resendField(
  "resendAppDownloadMail",
  "APP_DOWNLOAD_MAIL",
  "R11: resend items of an app-download mail receipt.",
);
resendField(
  "resendPasswordNotice",
  "PASSWORD_NOTICE_MAIL",
  "R11: resend items of a password notice receipt.",
);

interface LinePassword {
  line: Line;
  password: string;
}

const LinePasswordRef = builder.objectRef<LinePassword>("LinePassword").implement({
  fields: (t) => ({
    line: t.field({ type: LineRef, resolve: (p) => p.line }),
    password: t.exposeString("password"),
  }),
});

const InquirePasswordsPayload = builder
  .objectRef<{ passwords: LinePassword[]; userErrors: UserError[] }>("InquirePasswordsPayload")
  .implement({
    fields: (t) => ({
      passwords: t.field({ type: [LinePasswordRef], resolve: (p) => p.passwords }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
    }),
  });

builder.mutationField("inquirePasswords", (t) =>
  t.field({
    type: InquirePasswordsPayload,
    authScopes: { scope: "READ_PASSWORDS" },
    description: "R10 照会: the My SoftBank passwords of up to 200 lines (MAIN/SUB only; audited).",
    args: {
      input: t.arg({
        type: builder.inputType("InquirePasswordsInput", {
          fields: (f) => ({ lineIds: f.globalIDList({ for: LineRef, required: true }) }),
        }),
        required: true,
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const result = await inquirePasswords(
        ctx.services.db,
        ctx.services.clock,
        ctx.services.carrier,
        actorOf(ctx),
        { lineIds: input.lineIds.map((line) => line.id) },
        { ip: ctx.ip },
      );
      return result.ok
        ? { passwords: result.passwords, userErrors: [] }
        : { passwords: [], userErrors: toUserErrors(result.errors) };
    },
  }),
);

const MailKindEnum = builder.enumType(MailKind, { name: "MailKind" });
const MailStatusEnum = builder.enumType(MailStatus, { name: "MailStatus" });

builder.prismaObject("MailMessage", {
  description: "An outbound mail. Password notices are kept with the password masked (R10).",
  fields: (t) => ({
    id: t.exposeID("id"),
    kind: t.expose("kind", { type: MailKindEnum }),
    to: t.exposeString("to"),
    subject: t.exposeString("subject"),
    body: t.exposeString("body"),
    status: t.expose("status", { type: MailStatusEnum }),
    transport: t.exposeString("transport"),
    error: t.exposeString("error", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    sentAt: t.expose("sentAt", { type: "DateTime", nullable: true }),
  }),
});

builder.queryField("mailMessages", (t) =>
  t.prismaConnection(
    {
      type: "MailMessage",
      cursor: "id",
      authScopes: { scope: "READ_PASSWORDS" },
      description: "Mail sent or captured in the outbox, newest first (MAIN/SUB).",
      defaultSize: 50,
      maxSize: PAGE_LIMIT,
      resolve: (query, _root, _args, ctx) =>
        ctx.services.db.mailMessage.findMany({
          ...query,
          where: { accountId: actorOf(ctx).accountId },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        }),
      totalCount: (_root, _args, ctx) =>
        ctx.services.db.mailMessage.count({ where: { accountId: actorOf(ctx).accountId } }),
    },
    { name: "MailMessageConnection" },
    { name: "MailMessageEdge" },
  ),
);
