// What the items of mail receipts do (R9, R10): deliver one mail each
// (mail/delivery.ts keeps a re-claimed item from sending it twice).
import { mailErrorMessages } from "../../domain/messages.ts";
import { recordLineChanges } from "../change-feed.ts";
import type { MailDelivery } from "../mail/delivery.ts";
import type { MailReceiptKind } from "../mail-requests.ts";
import { ItemFailure, type ItemHandler, type QueueItem } from "../queue/items.ts";

async function deliver(mail: MailDelivery | undefined, kind: MailReceiptKind, item: QueueItem) {
  // A worker started without a mailer leaves mail items to be tried again.
  if (!mail) throw new ItemFailure("MAIL_FAILED", mailErrorMessages.MAIL_FAILED, true);
  await mail.deliver({ itemId: item.id, kind, lineId: item.lineId });
}

/** アプリダウンロード依頼メール: the line records when it was last sent (依頼メール送信日時). */
export function appDownloadMailHandler(mail?: MailDelivery): ItemHandler {
  return {
    needs: ["smtp"],
    perform: (item) => deliver(mail, "APP_DOWNLOAD_MAIL", item),
    async succeeded(tx, item, at) {
      await tx.line.update({ where: { id: item.lineId }, data: { lastAppDownloadMailAt: at } });
      await recordLineChanges(tx, item.accountId, [{ lineId: item.lineId, kind: "UPDATED" }], at);
      return [item.lineId];
    },
    failed: async () => [],
  };
}

/** パスワード通知: the password is asked of the carrier, then mailed; the line keeps nothing of it. */
export function passwordNoticeHandler(mail?: MailDelivery): ItemHandler {
  return {
    needs: ["carrier", "smtp"],
    perform: (item) => deliver(mail, "PASSWORD_NOTICE_MAIL", item),
    // Its line is announced as every mail's is, though nothing of it changed.
    succeeded: async (_tx, item) => [item.lineId],
    failed: async () => [],
  };
}
