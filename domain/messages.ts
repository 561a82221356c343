// Every user-facing text of the product, in the exact Japanese of the manual
// (SPEC §3). Code elsewhere refers to these by their stable code, never by text.

/** The manual's one text for a selection holding a line this product cannot serve. */
const UNAVAILABLE_CONTRACT_SELECTED = "ご利用いただけない契約の対象者が選択されています。";

/** Errors shown on the portal (R3, R4, R5, R16, R9/R10 mail sends). */
export const userErrorMessages = {
  NO_LINES_SELECTED: "ユーザが1件も選択されていません。",
  TOO_MANY_LINES: "選択できるユーザは200件までです。",
  CANCELLED_LINE_SELECTED: UNAVAILABLE_CONTRACT_SELECTED,
  /** R16: a 3G line (サービス対象外), whatever screen or API selected it. */
  OUT_OF_SERVICE_LINE_SELECTED: UNAVAILABLE_CONTRACT_SELECTED,
  OUTSIDE_ACCEPTANCE_HOURS: "ただいまの時間帯はあんしんバックアップを利用できません。",
  CONFLICT: "ただいま受付できません。しばらく経ってから再度お試しください。",
} as const;

export type UserErrorCode = keyof typeof userErrorMessages;

/**
 * Why an item or receipt is still 処理中 (履歴詳細 and the progress bar): its
 * dependency is down and it is retried by itself. Not in the manual; worded
 * in its style. `at` is the next attempt as HH:MM (JST), null when it is due now.
 */
export const waitingMessages = {
  CARRIER: (at: string | null) =>
    at
      ? `キャリアの応答待ちのため、自動で再試行します（次回 ${at} 頃）。`
      : "キャリアの応答待ちのため、自動で再試行しています。",
  MAIL_SERVER: (at: string | null) =>
    at
      ? `メールサーバの応答待ちのため、自動で再送信します（次回 ${at} 頃）。`
      : "メールサーバの応答待ちのため、自動で再送信しています。",
} as const;

export type WaitingForCode = keyof typeof waitingMessages;

/**
 * Sign-in and access errors (not in the manual; worded in its style). The
 * manual calls the sign-in name 管理者ID (履歴's column), as the login form does.
 */
export const authErrorMessages = {
  INVALID_CREDENTIALS: "管理者IDまたはパスワードが正しくありません。",
  LOGIN_LOCKED:
    "ログインに続けて失敗したため、しばらくの間ログインできません。時間をおいて再度お試しください。",
  UNAUTHENTICATED: "ログインしてください。",
  FORBIDDEN: "この操作を行う権限がありません。",
  INVALID_INPUT: "入力内容に誤りがあります。",
  NOT_FOUND: "指定されたデータは見つかりません。",
} as const;

export type AuthErrorCode = keyof typeof authErrorMessages;

/** What the device apps show when a feature is restricted (R12). */
export const appErrorMessages = {
  "2105": "お使いの回線契約をご確認ください。2105",
  RESTRICTED: "管理者によりご利用を制限されています。",
  MIGRATION_RESTRICTED: "電話帳ダウンロードを中止しました。管理者によりご利用を制限されています。",
  "2104":
    "本機能は、機種変更をおこなってから60日間だけ使える機能です。お客様のご利用可能期間がすでに終了したためご利用できません。(エラーコード2104)",
} as const;

export type AppErrorCode = keyof typeof appErrorMessages;

/** Why the carrier did not apply an item (shown in 履歴詳細). */
export const carrierMessages = {
  CARRIER_REJECTED: "キャリアで設定を反映できませんでした。再度お試しください。",
  UNKNOWN_LINE: "キャリアに該当する回線がありません。",
  CARRIER_UNAVAILABLE: "キャリアに接続できませんでした。",
} as const;

/** Why a selected line gets no mail (R9, R10); listed as skipped, not an error. */
export const skipReasons = {
  NO_APP_DOWNLOAD_NEEDED: "4Gケータイはアプリのダウンロードが不要です。",
  APP_PREINSTALLED: "アプリがプリインストールされているため、送信不要です。",
  NO_PASSWORD_NOTICE_NEEDED: "Windows 10 Mobileはパスワード通知の対象外です。",
} as const;

export type SkipReasonCode = keyof typeof skipReasons;

/** Mail request errors beyond R3. */
export const mailErrorMessages = {
  NOTHING_TO_SEND: "送信が必要な回線がありません。",
  MAIL_FAILED: "メールを送信できませんでした。",
} as const;

/**
 * R19 retry of failed lines (履歴詳細 「異常終了分を再設定」). Not in the manual;
 * worded in its style. R3–R5 keep their own texts.
 */
export const retryMessages = {
  /** A chosen item did not end 異常終了 (FAILED). */
  ITEM_NOT_FAILED: "異常終了していない回線が選択されています。",
  /** Every failed item of the receipt has been retried already (or none failed). */
  NOTHING_TO_RETRY: "再設定が必要な回線がありません。",
} as const;

/** R17: idempotency keys (再送キー), which belong to the administrator or API token that sent them. */
export const idempotencyMessages = {
  IDEMPOTENCY_KEY_REUSED: "この再送キーは、内容の異なる受付ですでに使用されています。",
  INVALID_IDEMPOTENCY_KEY: "再送キーは1文字以上200文字以内で指定してください。",
} as const;

/** Realtime: why a subscription ended early. */
export const realtimeMessages = {
  SLOW_CONSUMER: "通知の受信が追いつかないため、購読を終了しました。再度購読してください。",
} as const;

/**
 * 「CSVで選択」 (resolveLineSelection): why a row's number selects no line.
 * Cancelled, out-of-service and past-200 rows get R3's own texts
 * (userErrorMessages); these three are not in the manual, worded in its style.
 */
export const lineSelectionMessages = {
  /** Unknown, not listed yet (R8), another account's, or outside a GROUP administrator's groups: alike. */
  NOT_FOUND: "該当する回線が見つかりません。",
  INVALID_PHONE_NUMBER: "電話番号の形式が正しくありません。",
  DUPLICATE: "同じ電話番号が前の行で指定されています。",
} as const;

/** Paging arguments of a list (first/after, last/before), refused with BAD_USER_INPUT. */
export const pagingErrorMessages = {
  NEGATIVE_PAGE_SIZE: "取得件数(first・last)には0以上の数を指定してください。",
  PAGE_TOO_LARGE: "一度に取得できるのは200件までです。",
  MIXED_DIRECTIONS:
    "ページの指定は first・after(先頭から)か last・before(末尾から)のどちらか一方にしてください。",
} as const;

export type PagingErrorCode = keyof typeof pagingErrorMessages;

/**
 * Filters of the lists (履歴's 受付日, アプリダウンロード依頼's 依頼メール送信日時),
 * refused with BAD_USER_INPUT and this `reason`. Not in the manual (it has no
 * text for a period given backwards); worded in its style.
 */
export const filterErrorMessages = {
  DATE_RANGE_REVERSED: "期間の指定に誤りがあります。開始日には終了日以前の日付を指定してください。",
} as const;

export type FilterErrorCode = keyof typeof filterErrorMessages;

/**
 * The change feed (lineChanges), refused as a coded error with this `code`.
 * CURSOR_EXPIRED's extensions say how to start again (README, "Change feed").
 */
export const changeFeedMessages = {
  CURSOR_EXPIRED:
    "この位置からの変更履歴は保存期間を過ぎたため取得できません。lineChanges(after: null) で新しい位置を受け取ってから、回線一覧(lines)を取得し直してください。",
  INVALID_CURSOR: "lineChanges の after に指定された位置が正しくありません。",
} as const;

export type ChangeFeedErrorCode = keyof typeof changeFeedMessages;

/** 監査ログ (the audit log's CSV; the web client has the same words in web/src/texts.ts). */
export const auditTexts = {
  fileName: "監査ログ",
  columns: {
    no: "No.",
    at: "日時",
    action: "操作",
    actorName: "管理者名",
    actorId: "管理者ID",
    ip: "IPアドレス",
    lines: "対象回線数",
    phoneNumbers: "電話番号",
    receipt: "受付番号",
  },
  actions: {
    LOGIN: "ログイン",
    LOGIN_FAILED: "ログイン失敗",
    LINES_REFRESHED: "手動更新",
    PASSWORD_INQUIRY: "パスワード照会",
    PERMISSION_CHANGE_SUBMITTED: "利用可否設定",
    PERMISSION_CHANGE_RETRIED: "利用可否設定(再実行)",
    APP_DOWNLOAD_MAIL_REQUESTED: "アプリダウンロード依頼メール送信",
    APP_DOWNLOAD_MAIL_RESENT: "アプリダウンロード依頼メール再送",
    PASSWORD_NOTICE_MAIL_REQUESTED: "My SoftBankパスワード通知メール送信",
    PASSWORD_NOTICE_MAIL_RESENT: "My SoftBankパスワード通知メール再送",
    API_TOKEN_CREATED: "APIトークン発行",
    API_TOKEN_REVOKED: "APIトークン失効",
    OTHER: "その他",
  },
  /** An API token as the actor: its name after this. */
  tokenActor: "APIトークン: ",
} as const;

/** Notes, confirmations and warnings shown on the portal's screens. */
export const screenTexts = {
  GROUP_WITH_3G_NOT_SELECTABLE: "※サービス対象外(3G ケータイなど)の回線を含むグループは選択できません。",
  APP_DOWNLOAD_MAIL_CONFIRM: "アプリダウンロード依頼メールを送信します。よろしいですか？",
  PASSWORD_NOTICE_CONFIRM: "My SoftBankパスワード通知をします。よろしいですか?",
  /** R14: shown at 確認 when migration is allowed on a shared-phonebook line. */
  SHARED_PHONEBOOK_CAUTION: [
    "「あんしんバックアップ」アプリの電話帳移行機能および「連絡先コピー」アプリの携帯電話から連絡先移行機能と「共有電話帳」サービスを併用する場合は、以下の点にご注意ください。",
    "① 電話帳移行機能を利用して端末に移行した電話帳データは、共有電話帳では編集できません。",
    "② 電話帳移行機能と共有電話帳を利用して端末に電話帳データを保存すると、端末の画面上で電話帳データが二重登録になることがあります。",
  ].join("\n"),
} as const;

/** 「対象回線 : N件」 under the mail confirmations (R9). */
export function targetLineCount(n: number): string {
  return `対象回線 : ${n}件`;
}

/**
 * CSV出力 (回線一覧, 履歴, 履歴詳細; services/exports.ts): a file has the
 * columns and values its screen shows, in the screen's words (the web
 * client's labels in web/src/texts.ts; test/api/exports.test.ts keeps the two
 * equal). The file names and the error texts are ours, not the manual's.
 */
export const exportTexts = {
  columns: {
    no: "No.",
    group: "グループ名",
    phone: "電話番号",
    name: "氏名",
    nameKana: "氏名(カナ)",
    affiliation: "所属名(1)",
    status: "ステータス",
    device: "機種",
    backup: "バックアップ機能",
    migration: "電話帳移行機能",
    appMailSentAt: "依頼メール送信日時",
    number: "受付番号",
    adminName: "管理者名",
    adminId: "管理者ID",
    receivedAt: "受付日時",
    completedAt: "結果日時",
    menu: "利用メニュー",
  },
  values: {
    on: "ON",
    off: "OFF",
    line: { IN_SERVICE: "サービス中", PROCESSING: "処理中" },
    /** R16: a 3G line, shown instead of its status. */
    outOfService: "サービス対象外",
    cancelled: "解約済",
    /** The manual's device names. */
    devices: {
      FEATURE_PHONE_4G: "4Gケータイ",
      IPHONE: "iPhone",
      SMARTPHONE: "スマートフォン",
      WINDOWS10_MOBILE: "Windows 10 Mobile",
      FEATURE_PHONE_3G: "3Gケータイ",
    },
    receipt: { PROCESSING: "処理中", SUCCEEDED: "正常終了", FAILED: "異常終了" },
    item: { PENDING: "受付済", PROCESSING: "処理中", SUCCEEDED: "正常終了", FAILED: "異常終了" },
    kind: {
      PERMISSION_CHANGE: "利用可否設定",
      APP_DOWNLOAD_MAIL: "アプリダウンロード依頼メール",
      PASSWORD_NOTICE_MAIL: "My SoftBankパスワード通知メール",
    },
    /** 利用メニュー in the password-mail history. */
    passwordMenu: "あんしんバックアップ/連絡先コピー設定",
  },
  fileNames: {
    lines: "回線一覧",
    receipts: "履歴一覧",
    passwordMails: "パスワード通知メール履歴",
    receiptItems: "履歴詳細",
  },
} as const;

/** GET /export/… refused, by code (401, 403 and 404 have authErrorMessages' texts). Ours, not the manual's. */
export const exportErrorMessages = {
  BAD_USER_INPUT: "CSV出力の指定に誤りがあります。",
  METHOD_NOT_ALLOWED: "CSV出力はGETで要求してください。",
  EXPORT_BUSY: "ほかのCSV出力を実行中です。終わってから再度お試しください。",
  RATE_LIMITED: "操作が集中しています。しばらく経ってから再度お試しください。",
  SERVICE_UNAVAILABLE: "ただいまCSV出力できません。しばらく経ってから再度お試しください。",
} as const;

/** Webhook endpoints (services/webhooks/): userErrors by code and the disabled-endpoint notice. Ours, not the manual's. */
export const webhookMessages = {
  INVALID_URL: "WebhookのURLが正しくありません。",
  HTTPS_REQUIRED: "WebhookのURLはhttpsで指定してください。",
  ADDRESS_NOT_ALLOWED: "このWebhookのURLには送信できません(内部ネットワークのアドレスです)。",
  HOST_NOT_FOUND: "WebhookのURLのホストが見つかりません。",
  NO_EVENT_TYPES: "通知するイベントを1つ以上選択してください。",
  GROUP_NOT_FOUND: "指定されたグループが見つかりません。",
  NOT_FOUND: "指定されたWebhookが見つかりません。",
  ENDPOINT_DISABLED: "このWebhookは停止中です。再開してから実行してください。",
  RANGE_INVALID: "再送する期間の指定に誤りがあります(開始は終了より前、期間は7日以内)。",
  /** The notice to MAIN administrators (web client and mail) when an endpoint is disabled after failing. */
  disabledNotice: (url: string, since: string) =>
    `Webhook(${url})への送信が${since}から失敗し続けたため、送信を停止しました。受信側を確認のうえ、Webhookを再開してください。停止中のイベントは再開後に送信されます。`,
  disabledMailSubject: "【あんしんバックアップ設定】Webhookの送信を停止しました",
} as const;
