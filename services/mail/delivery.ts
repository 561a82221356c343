// Delivers one mail item. The MailMessage row is written before the send and
// marked SENT after it: a re-claimed item whose mail already went out is not
// sent again. (A crash between the SMTP reply and that mark can still send a
// mail twice; SMTP offers no way to ask whether a message was accepted.)

import { mailErrorMessages } from "../../domain/messages.ts";
import { appDownloadMail, PASSWORD_MASK, passwordNoticeMail } from "../../domain/rules/mail.ts";
import type { Db } from "../../lib/db.ts";
import type { Carrier } from "../carrier/port.ts";
import type { MailReceiptKind } from "../mail-requests.ts";
import { ItemFailure } from "../queue/items.ts";
import { MailError, type Mailer } from "./mailer.ts";

export interface MailDelivery {
  /** Sends the mail of one item of a mail receipt, unless it went out already. */
  deliver(item: { itemId: string; kind: MailReceiptKind; lineId: string }): Promise<void>;
}

export function createMailDelivery(db: Db, mailer: Mailer, carrier: Carrier): MailDelivery {
  return {
    async deliver({ itemId, kind, lineId }) {
      const sent = await db.mailMessage.findFirst({ where: { receiptItemId: itemId, status: "SENT" } });
      if (sent) return;
      const line = await db.line.findUniqueOrThrow({ where: { id: lineId } });
      let mail: { subject: string; text: string };
      let stored: string;
      if (kind === "APP_DOWNLOAD_MAIL") {
        mail = appDownloadMail(line);
        stored = mail.text;
      } else {
        const password = (await carrier.passwords([line.phoneNumber])).get(line.phoneNumber);
        if (!password) throw new ItemFailure("UNKNOWN_LINE", mailErrorMessages.MAIL_FAILED, false);
        mail = passwordNoticeMail(line, password);
        // The outbox never keeps a password (R10): only the delivered mail carries it.
        stored = passwordNoticeMail(line, PASSWORD_MASK).text;
      }
      const message = await db.mailMessage.create({
        data: {
          accountId: line.accountId,
          receiptItemId: itemId,
          kind: kind === "APP_DOWNLOAD_MAIL" ? "APP_DOWNLOAD" : "PASSWORD_NOTICE",
          to: line.mailAddress,
          subject: mail.subject,
          body: stored,
          transport: mailer.transport,
        },
      });
      try {
        const { messageId } = await mailer.send({ to: line.mailAddress, ...mail });
        await db.mailMessage.update({
          where: { id: message.id },
          data: { status: "SENT", messageId, sentAt: new Date() },
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        await db.mailMessage.update({ where: { id: message.id }, data: { status: "FAILED", error: reason } });
        throw error instanceof MailError ? error : new MailError(reason, true);
      }
    },
  };
}
