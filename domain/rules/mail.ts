// R9 (app-download mail) and R10 (password notice): who gets which mail, who
// needs none and why, and the mails' text.
import { type SkipReasonCode, skipReasons } from "../messages.ts";

/** Where each app is downloaded (the manual's service pages). */
export const appUrls = {
  ANSHIN_BACKUP: "https://www.softbank.jp/mobile/service/safetybackup/",
  CONTACT_COPY: "https://www.softbank.jp/biz/mobile/service_solution/service/smartphone/renraku/",
} as const;

export interface MailLine {
  deviceKind: "FEATURE_PHONE_4G" | "IPHONE" | "SMARTPHONE" | "WINDOWS10_MOBILE" | "FEATURE_PHONE_3G";
  appPreinstalled: boolean;
  name: string;
  phoneNumber: string;
}

export type MailPlan = { send: true } | { send: false; code: SkipReasonCode; reason: string };

function skip(code: SkipReasonCode): MailPlan {
  return { send: false, code, reason: skipReasons[code] };
}

// A 3G line never reaches these plans: R16 refuses a selection holding one
// (selectionErrors) before anything is planned.

/** R9: smartphones and iPhones get Anshin Backup, Windows 10 Mobile gets Contact Copy; 4G feature phones and preinstalled apps need no mail. */
export function appDownloadMailPlan(line: MailLine): MailPlan {
  if (line.deviceKind === "FEATURE_PHONE_4G") return skip("NO_APP_DOWNLOAD_NEEDED");
  if (line.appPreinstalled) return skip("APP_PREINSTALLED");
  return { send: true };
}

/** R10: Windows 10 Mobile needs no My SoftBank password notice. */
export function passwordNoticePlan(line: MailLine): MailPlan {
  if (line.deviceKind === "WINDOWS10_MOBILE") return skip("NO_PASSWORD_NOTICE_NEEDED");
  return { send: true };
}

export function appDownloadMail(line: MailLine): { subject: string; text: string } {
  const contactCopy = line.deviceKind === "WINDOWS10_MOBILE";
  const app = contactCopy ? "連絡先コピー" : "あんしんバックアップ";
  const url = contactCopy ? appUrls.CONTACT_COPY : appUrls.ANSHIN_BACKUP;
  return {
    subject: `【${app}】アプリダウンロードのお願い`,
    text: [
      `${line.name} 様`,
      "",
      `管理者より「${app}」アプリのダウンロード依頼が届いています。`,
      "以下のページからアプリをダウンロードしてご利用ください。",
      url,
    ].join("\n"),
  };
}

export const PASSWORD_MASK = "********";

export function passwordNoticeMail(line: MailLine, password: string): { subject: string; text: string } {
  return {
    subject: "【My SoftBank】パスワードのお知らせ",
    text: [
      `${line.name} 様`,
      "",
      `携帯電話番号 ${line.phoneNumber} のMy SoftBankパスワードをお知らせします。`,
      `パスワード: ${password}`,
    ].join("\n"),
  };
}
