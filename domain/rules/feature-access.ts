// R12 App-side enforcement and R13 which menu item is which feature
// (manual §3 and the appendix 「利用規制時のエラー発生タイミング」).
//
// R12:
// - backup off and migration off, any controlled action → 2105
//   お使いの回線契約をご確認ください。2105
// - backup off, migration on, a backup action → RESTRICTED
//   管理者によりご利用を制限されています。
// - backup on, migration off, a migration action → MIGRATION_RESTRICTED
//   電話帳ダウンロードを中止しました。管理者によりご利用を制限されています。
// - 4G feature-phone app, migration action, more than 60 days after an upgrade
//   from a 3G phone → 2104 (本機能は、機種変更をおこなってから60日間だけ使える機能です。…)
// - SD-card / on-device save and restore are never controlled (always allowed).
// - Cancelled or unknown line → 2105. A 3G line is out of service for this
//   product (サービス対象外, R16), so it answers exactly as an unknown line.
//
// R13: the backup feature is the server save and restore of each app (one
// switch for both, R2); the migration feature is its phonebook import.
import { type AppErrorCode, appErrorMessages } from "../messages.ts";
import { type CalendarDate, daysBetween } from "../time.ts";
import { isOutOfService } from "./selection.ts";

export type AppVariant = "FEATURE_PHONE_4G" | "IPHONE" | "SMARTPHONE" | "WINDOWS10_MOBILE";

export type AppAction =
  | "SAVE_TO_SERVER"
  | "RESTORE_FROM_SERVER"
  | "IMPORT_PHONEBOOK"
  | "SAVE_TO_LOCAL"
  | "RESTORE_FROM_LOCAL";

export type Feature = "BACKUP" | "PHONEBOOK_MIGRATION" | "NOT_CONTROLLED";

export interface LineForAccess {
  deviceKind: "FEATURE_PHONE_4G" | "IPHONE" | "SMARTPHONE" | "WINDOWS10_MOBILE" | "FEATURE_PHONE_3G";
  contractStatus: "ACTIVE" | "CANCELLED";
  backup: boolean;
  phonebookMigration: boolean;
  upgradedFrom3gOn: CalendarDate | null;
}

export interface FeatureAccessResult {
  allowed: boolean;
  feature: Feature;
  errorCode: AppErrorCode | null;
  message: string | null;
  /** The app's own label of the menu item behind the action (R13). */
  menuItem: string;
}

/** Which feature each action belongs to (R13 columns; local storage is not controlled). */
export const featureOfAction: Readonly<Record<AppAction, Feature>> = {
  SAVE_TO_SERVER: "BACKUP",
  RESTORE_FROM_SERVER: "BACKUP",
  IMPORT_PHONEBOOK: "PHONEBOOK_MIGRATION",
  SAVE_TO_LOCAL: "NOT_CONTROLLED",
  RESTORE_FROM_LOCAL: "NOT_CONTROLLED",
};

/**
 * Menu labels per app and action. The server and migration columns are the
 * R13 table (manual §3); the local ones are the manual's appendix wording
 * where it has one (4Gケータイ: SDカード, スマートフォン: 「本体」(または
 * 「SDカード」)), otherwise a generic label.
 */
export const menuItemLabels: Readonly<Record<AppVariant, Readonly<Record<AppAction, string>>>> = {
  FEATURE_PHONE_4G: {
    SAVE_TO_SERVER: "サーバーにデータを保存",
    RESTORE_FROM_SERVER: "サーバーからデータを復元",
    IMPORT_PHONEBOOK: "電話帳の移行",
    SAVE_TO_LOCAL: "SDカードにデータを保存",
    RESTORE_FROM_LOCAL: "SDカードからデータを復元",
  },
  IPHONE: {
    SAVE_TO_SERVER: "電話帳の保存(バックアップ)",
    RESTORE_FROM_SERVER: "電話帳の読み込み(復元)",
    IMPORT_PHONEBOOK: "携帯電話から電話帳読み込み",
    SAVE_TO_LOCAL: "SDカード／端末にデータを保存",
    RESTORE_FROM_LOCAL: "SDカード／端末からデータを復元",
  },
  SMARTPHONE: {
    SAVE_TO_SERVER: "保存先「サーバー」",
    RESTORE_FROM_SERVER: "読み込み元「サーバー」",
    IMPORT_PHONEBOOK: "電話帳読み込み",
    SAVE_TO_LOCAL: "保存先「本体」(または「SDカード」)",
    RESTORE_FROM_LOCAL: "読み込み元「本体」(または「SDカード」)",
  },
  WINDOWS10_MOBILE: {
    SAVE_TO_SERVER: "データの保存(バックアップ)",
    RESTORE_FROM_SERVER: "データの読み込み(復元)",
    IMPORT_PHONEBOOK: "携帯電話から連絡先読み込み",
    SAVE_TO_LOCAL: "SDカード／端末にデータを保存",
    RESTORE_FROM_LOCAL: "SDカード／端末からデータを復元",
  },
};

/** Days after an upgrade from a 3G phone during which the 4G app may still migrate. */
export const MIGRATION_DAYS_AFTER_3G_UPGRADE = 60;

export function featureAccess(
  line: LineForAccess | null,
  app: AppVariant,
  action: AppAction,
  today: CalendarDate,
): FeatureAccessResult {
  const feature = featureOfAction[action];
  const menuItem = menuItemLabels[app][action];
  const deny = (errorCode: AppErrorCode): FeatureAccessResult => ({
    allowed: false,
    feature,
    errorCode,
    message: appErrorMessages[errorCode],
    menuItem,
  });

  // ※「SDカードにデータを保存」は利用制御されません — not even for unknown lines.
  if (feature === "NOT_CONTROLLED") {
    return { allowed: true, feature, errorCode: null, message: null, menuItem };
  }
  if (!line || line.contractStatus === "CANCELLED" || isOutOfService(line.deviceKind)) {
    return deny("2105");
  }
  if (!line.backup && !line.phonebookMigration) return deny("2105");
  if (feature === "BACKUP" && !line.backup) return deny("RESTRICTED");
  // The administrator's restriction is checked before the 60-day limit. In the
  // appendix flow of 4Gケータイ「電話帳の移行」 the user confirms (and
  // authenticates) once, and the outcomes are listed as: both features off →
  // 2105, migration restricted → 電話帳ダウンロードを中止しました。…, and only
  // then 「3Gケータイからの機種変更後60日経過した場合」 → 2104; R12 lists them
  // in the same order. So 2104 is shown only to a user whose administrator
  // allows migration, and a line with migration off gets the restriction (the
  // thing its administrator can change) rather than a period that has ended.
  // (The appendix labels the restriction case 「バックアップ機能× 電話帳移行機能○」,
  // which contradicts the manual's own error table and R12; R12 wins: ○ ×.)
  if (feature === "PHONEBOOK_MIGRATION" && !line.phonebookMigration) return deny("MIGRATION_RESTRICTED");
  if (
    feature === "PHONEBOOK_MIGRATION" &&
    app === "FEATURE_PHONE_4G" &&
    line.upgradedFrom3gOn !== null &&
    daysBetween(line.upgradedFrom3gOn, today) > MIGRATION_DAYS_AFTER_3G_UPGRADE
  ) {
    return deny("2104");
  }
  return { allowed: true, feature, errorCode: null, message: null, menuItem };
}
