// Outbound mail through nodemailer: SMTP when SMTP_URL is set; otherwise the
// mail is rendered by nodemailer's JSON transport and kept in the MailMessage
// table (the outbox), readable by MAIN/SUB administrators.
import nodemailer from "nodemailer";

export const MAIL_FROM = "あんしんバックアップ設定 <no-reply@anshin-backup.invalid>";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export class MailError extends Error {
  constructor(
    message: string,
    /** 4xx replies and connection problems are worth another try; 5xx are not. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "MailError";
  }
}

export interface Mailer {
  transport: "smtp" | "outbox";
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/** nodemailer's codes for a mail it cannot send, whatever the server: an invalid envelope or message. */
const unsendable = new Set(["EENVELOPE", "EMESSAGE"]);

export function createMailer(smtpUrl?: string): Mailer {
  const transporter = smtpUrl
    ? nodemailer.createTransport(smtpUrl)
    : nodemailer.createTransport({ jsonTransport: true });
  return {
    transport: smtpUrl ? "smtp" : "outbox",
    async send(mail) {
      try {
        const info = await transporter.sendMail({ from: MAIL_FROM, ...mail });
        return { messageId: info.messageId };
      } catch (error) {
        const { responseCode, code } = error as { responseCode?: number; code?: string };
        // Without a reply: a connection problem is temporary; a mail nodemailer
        // refuses to send (no or a malformed recipient) would be refused forever.
        const retryable = responseCode === undefined ? !unsendable.has(code ?? "") : responseCode < 500;
        throw new MailError((error as Error).message, retryable);
      }
    },
    close: () => transporter.close(),
  };
}
