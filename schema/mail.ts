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
    line: t.field({
      type: LineRef,
      description: "The line that gets no mail.",
      resolve: (s) => s.line as Line,
    }),
    code: t.exposeString("code", {
      description:
        "Why, for programs: NO_APP_DOWNLOAD_NEEDED, APP_PREINSTALLED or NO_PASSWORD_NOTICE_NEEDED.",
    }),
    reason: t.exposeString("reason", { description: "Why, in the screen's Japanese." }),
  }),
});

interface MailPayload {
  receiptId: string | null;
  replayed: boolean;
  skipped: Skipped[];
  userErrors: UserError[];
}

const MailPayloadRef = builder.objectRef<MailPayload>("MailRequestPayload").implement({
  description: "A mail request's answer: the receipt (受付) and the lines skipped, or why not.",
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
    skipped: t.field({
      type: [SkippedRef],
      description: "Selected lines that need no mail and got no item (R9, R10).",
      resolve: (p) => p.skipped,
    }),
    userErrors: t.field({
      type: [UserErrorRef],
      description: "R3/R16 selection errors, NOTHING_TO_SEND, IDEMPOTENCY_KEY_REUSED…; empty on success.",
      resolve: (p) => p.userErrors,
    }),
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
  description: "The lines to mail (対象回線), up to 200.",
  fields: (t) => ({
    lineIds: t.globalIDList({ for: LineRef, required: true, description: "Line ids (Line.id), 1–200." }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION, validate: idempotencyKey }),
  }),
});

const ResendMailInput = builder.inputType("ResendMailInput", {
  description: "再送信: items of a mail receipt to send again (R11).",
  fields: (t) => ({
    receiptId: t.globalID({ for: ReceiptRef, required: true, description: "The mail receipt (Receipt.id)." }),
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
      args: {
        input: t.arg({
          type: SendMailInput,
          required: true,
          description: "The lines and an idempotency key.",
        }),
      },
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
      args: {
        input: t.arg({ type: ResendMailInput, required: true, description: "The receipt and its items." }),
      },
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
  description: "A line's My SoftBank password (照会); never logged.",
  fields: (t) => ({
    line: t.field({ type: LineRef, description: "The line.", resolve: (p) => p.line }),
    password: t.exposeString("password", { description: "The My SoftBank password (パスワード)." }),
  }),
});

const InquirePasswordsPayload = builder
  .objectRef<{ passwords: LinePassword[]; userErrors: UserError[] }>("InquirePasswordsPayload")
  .implement({
    description: "inquirePasswords' answer (パスワード照会).",
    fields: (t) => ({
      passwords: t.field({
        type: [LinePasswordRef],
        description: "One per line asked for; empty with userErrors.",
        resolve: (p) => p.passwords,
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: "R3/R16 selection errors; empty on success.",
        resolve: (p) => p.userErrors,
      }),
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
          description: "The lines whose passwords are asked for, up to 200.",
          fields: (f) => ({
            lineIds: f.globalIDList({
              for: LineRef,
              required: true,
              description: "Line ids (Line.id), 1–200.",
            }),
          }),
        }),
        required: true,
        description: "The lines.",
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

const MailKindEnum = builder.enumType(MailKind, {
  name: "MailKind",
  description: "Which mail.",
  values: {
    APP_DOWNLOAD: { description: "The app-download request mail (アプリダウンロード依頼メール, R9)." },
    PASSWORD_NOTICE: {
      description: "The My SoftBank password notice mail (My SoftBankパスワード通知メール, R10).",
    },
  },
});
const MailStatusEnum = builder.enumType(MailStatus, {
  name: "MailStatus",
  description: "Where a mail stands.",
  values: {
    QUEUED: { description: "Waiting to be sent (or retried while the mail server is down)." },
    SENT: { description: "Handed to the mail server, or captured in the outbox without SMTP_URL." },
    FAILED: { description: "Not sent: refused for good, or the retry horizon passed." },
  },
});

builder.prismaObject("MailMessage", {
  description: "An outbound mail. Password notices are kept with the password masked (R10).",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The mail's id." }),
    kind: t.expose("kind", { type: MailKindEnum, description: "Which mail." }),
    to: t.exposeString("to", { description: "The recipient address." }),
    subject: t.exposeString("subject", { description: "The subject (件名)." }),
    body: t.exposeString("body", { description: "The body (本文); a password notice's password is masked." }),
    status: t.expose("status", { type: MailStatusEnum, description: "QUEUED, SENT or FAILED." }),
    transport: t.exposeString("transport", { description: "How it left: smtp, or outbox (captured)." }),
    error: t.exposeString("error", { nullable: true, description: "Why sending failed; null otherwise." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was queued." }),
    sentAt: t.expose("sentAt", {
      type: "DateTime",
      nullable: true,
      description: "When it was sent; null until then.",
    }),
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
    { name: "MailMessageConnection", description: "A page of outbound mail, newest first." },
  ),
);
