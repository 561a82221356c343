// Every label of the web client, in the manual's Japanese. Rule messages
// (R3–R5, R9, R10, R14) come from the server's one list, domain/messages.ts.
export {
  screenTexts,
  targetLineCount,
  userErrorMessages,
  waitingMessages,
} from "../../domain/messages.ts";

export const serviceName = "あんしんバックアップ／連絡先コピー設定";

/** A count as people read it: 100,000 (not 100000). */
export function formatCount(n: number): string {
  return n.toLocaleString("ja-JP");
}

export const menuTexts = {
  intro:
    "「あんしんバックアップ／連絡先コピー設定」では、携帯電話内に保存されているデータをバックアップする機能の利用設定を行います。",
  next: "次へ",
  entries: [
    {
      path: "/permissions",
      title: "利用可否設定",
      help: [
        "「あんしんバックアップ」／「連絡先コピー」機能の利用可否設定を行います。",
        "「共有電話帳」をご利用の方は「あんしんバックアップ／連絡先コピー設定」のマニュアル「共有電話帳」サービス併用時のご注意 をご確認ください。",
      ],
    },
    {
      path: "/app-mail",
      title: "アプリダウンロード依頼メール送信",
      help: [
        "「あんしんバックアップ」または「連絡先コピー」をご利用いただくために、携帯電話利用者に専用アプリのダウンロード依頼を行います。",
        "※4Gケータイをご利用の場合は、ダウンロード依頼は不要です。",
      ],
    },
    {
      path: "/passwords",
      title: "My SoftBankパスワード照会／通知",
      help: [
        "「あんしんバックアップ」をご利用いただくために携帯電話利用者に必要なパスワードを照会し、メールで通知します。",
        "※Windows 10 Mobile端末をご利用の場合は、パスワードは不要です。",
      ],
    },
    { path: "/history", title: "履歴", help: ["過去の操作履歴を確認できます。"] },
  ],
} as const;

export const permissionTexts = {
  title: "利用可否設定",
  cautionTitle: "ご注意",
  cautions: [
    "利用可否設定の受付時間は9:00-23:00です。",
    "利用可否設定の変更を申請後、実際に利用が可能になるまでにはタイムラグがあります。変更が完了しているかどうかは、履歴にて確認できます。",
    "利用可否設定にて利用可に設定した場合でも、各サービス対象外機種でのご利用はできません。",
  ],
  step: "利用可否設定をする対象回線選択と設定",
  startLead: "「あんしんバックアップ」／「連絡先コピー」各機能の利用可否設定を行います。",
  byLines: "携帯電話番号一覧から選択",
  byLinesHelp: "ご契約名義の携帯電話番号から選択する場合はこちら",
  byGroups: "グループから選択",
  byGroupsHelp: "グループ機能を利用して選択をする場合はこちら",
  linesTitle: "携帯電話番号一覧から選択/設定",
  groupsTitle: "グループから選ぶ/設定",
  selectLead: [
    "利用可否を設定する対象回線を選択し、設定したい各機能のチェックボックスを選択してください。",
    "選択完了後、「確認画面へ」ボタンを押下して下さい。",
  ],
  backupHelp:
    "バックアップ機能…「あんしんバックアップ」/「連絡先コピー」のデータの保存/読み込み機能の利用可否を設定します。",
  migrationHelp: [
    "電話帳移行機能…「あんしんバックアップ」/「連絡先コピー」の携帯電話から電話帳を読み込む機能の利用可否を設定します。",
    "※本機能を利用して移行した電話帳データは、「共有電話帳」サービスでは編集できませんのでご注意ください。",
  ],
  limitNote: "※一度に選択できる件数は200件です。",
  toConfirm: "確認画面へ",
  confirmTitle: "確認",
  confirmLead: "設定を変更する対象回線と内容を確認し「決定」ボタンを押下してください。",
  decide: "決定",
  doneTitle: "完了",
  doneLead: ["受付が完了しました。", "設定状況は履歴から確認できます。"],
  doneAppNote: [
    "「あんしんバックアップ」/「連絡先コピー」のご利用には専用アプリが必要です。",
    "対象回線に専用アプリのダウンロード依頼を行う場合は「アプリダウンロード依頼」より操作してください。",
  ],
  toAppMail: "アプリダウンロード依頼",
} as const;

export const mailTexts = {
  appTitle: "アプリダウンロード依頼メール送信",
  appLead: [
    "アプリダウンロード依頼を行う対象回線を選択し、「依頼メール送信」ボタンを押下してください。",
    "一度に送信できる件数は200件までです。",
    "スマートフォン、iPhoneには「あんしんバックアップ」アプリのURL",
    "Windows 10 Mobile端末には「連絡先コピー」アプリのURLが送信されます。",
    "※4G ケータイをご利用の場合は、アプリダウンロード依頼メールの送信は不要です。",
  ],
  sentAt: "依頼メール送信日時",
  from: "から",
  to: "まで",
  narrow: "絞り込み",
  send: "依頼メール送信",
  appDoneLead: ["受付が完了しました。", "メールの送信状況は履歴から確認できます。"],
  toPasswordNotice: "My SoftBankパスワード通知",
  skippedTitle: "メール送信が不要な回線",
  passwordTitle: "My SoftBankパスワード照会／通知",
  passwordLead: [
    "My SoftBankパスワード照会／通知では、My SoftBankのパスワードを照会することができます。",
    "また、パスワードを携帯電話利用者にメールで通知することができます。",
    "パスワード照会…My SoftBankパスワードを照会したい対象回線を選択し、「照会」ボタンを押下してください。一度に照会できる件数は200件までです。",
    "パスワード通知…My SoftBankパスワード通知メールを送信したい対象回線を選択し、「通知メール送信」ボタンを押下してください。一度に送信できる件数は200件までです。",
  ],
  inquire: "照会",
  notify: "通知メール送信",
  password: "パスワード",
  resend: "メール再送",
  resendDoneLead: ["受付が完了しました。", "「履歴」から送信状況を確認できます。"],
} as const;

/**
 * 「CSVで選択」 (issue 17.2): not in the manual, worded in its style. Why the
 * server selected no line for a row comes with the row (domain/messages.ts).
 */
export const csvTexts = {
  choose: "CSVで選択",
  fileLabel: "回線を選択するCSVファイル",
  hint: "電話番号の列があるCSVファイル（UTF-8またはShift_JIS）の回線を選択します。選択中の回線は、CSVの回線に置き換わります。",
  targetsHint: "「バックアップ機能」「電話帳移行機能」の列（○／×）があれば、その設定も読み込みます。",
  reading: "CSVファイルを読み込んでいます…",
  summary: (file: string, rows: number, selected: number) =>
    `「${file}」の${rows.toLocaleString("ja-JP")}行から${selected.toLocaleString("ja-JP")}件を選択しました。`,
  notSelected: (n: number) => `選択できなかった行（${n.toLocaleString("ja-JP")}件）`,
  row: "行番号",
  phone: "電話番号",
  result: "結果",
  close: "閉じる",
  fileErrors: {
    EMPTY: "CSVファイルに電話番号がありません。",
    NO_PHONE_COLUMN: "「電話番号」の列が見つかりません。1行目の見出しに「電話番号」を含めてください。",
    TOO_MANY_ROWS: "一度に読み込めるのは1,000行までです。",
    TOO_LARGE: "CSVファイルが大きすぎます（1MBまで）。",
    UNREADABLE: "CSVファイルを読み込めませんでした。ファイルの形式をご確認ください。",
  },
  rowProblems: {
    MISSING_PHONE_NUMBER: "電話番号が入力されていません。",
    INVALID_BACKUP: "バックアップ機能の値が正しくありません（○／×で指定してください）。",
    INVALID_MIGRATION: "電話帳移行機能の値が正しくありません（○／×で指定してください）。",
  },
} as const;

/**
 * 履歴詳細 「異常終了分を再設定」 (R19) and a receipt's lineage (R11, R19): not
 * in the manual, worded in its style. The server's refusals keep their own
 * texts (domain/messages.ts).
 */
export const retryTexts = {
  action: "異常終了分を再設定",
  confirm: "異常終了した回線に、同じ設定内容で再度利用可否設定を行います。よろしいですか？",
  lineage: "関連する受付",
  parent: "元の受付",
  retries: "再設定の受付",
  resends: "再送の受付",
} as const;

export const historyTexts = {
  title: "履歴一覧",
  lead: [
    "「あんしんバックアップ／連絡先コピー設定」の操作履歴を表示します。",
    "各項目ごとに絞り込み検索が可能です。項目の詳細についてはヘルプ・利用マニュアルをご参照ください。",
  ],
  notes: [
    "・「アプリダウンロード依頼メール」の受付番号を押下すると、管理者が依頼メールを送信した対象回線や送信状況の確認および依頼メールの再送が行えます。",
    "・「利用可否設定」の受付番号を押下すると、設定内容の詳細が確認できます。",
  ],
  passwordLink: ">> My SoftBankパスワード通知メールの履歴はこちら",
  passwordTitle: "履歴一覧",
  passwordLead: "My SoftBankのパスワード通知メールの送信履歴を表示します。",
  passwordNote:
    "受付番号を押下すると、管理者がMy SoftBankパスワード通知メールを送信した対象回線や送信状況の確認および通知メールの再送が行えます。",
  count: (n: number) => `受付件数: ${formatCount(n)}件`,
  detailTitle: "履歴詳細",
  detailLead: {
    PERMISSION_CHANGE:
      "携帯電話番号ごとに履歴を表示します。利用可否設定の変更を行いたい場合は「利用可否設定」より操作してください。",
    APP_DOWNLOAD_MAIL:
      "携帯電話番号ごとに履歴を表示します。アプリダウンロード依頼メールの再送を行いたい場合は、対象のチェックボックスを選択し、「メール再送」を押下してください。",
    PASSWORD_NOTICE_MAIL:
      "携帯電話番号ごとに送信状況を表示します。My SoftBank通知メールの再送を行いたい場合は、対象回線のチェックボックスを選択し「メール再送」を押下してください。",
  },
  number: "受付番号",
  adminName: "管理者名",
  adminId: "管理者ID",
  receivedAt: "受付日時",
  completedAt: "結果日時",
  menu: "利用メニュー",
  status: "ステータス",
  passwordMenu: "あんしんバックアップ/連絡先コピー設定",
} as const;

export const commonTexts = {
  back: "戻る",
  ok: "OK",
  cancel: "キャンセル",
  search: "検索",
  clear: "クリア",
  unspecified: "指定なし",
  selectAllInPage: "ページ内全選択",
  deselectAllInPage: "ページ内全解除",
  pageSize: (n: number) => `${n}件表示`,
  selectionCounter: (n: number, m: number) => `対象回線選択:${formatCount(n)}件/${formatCount(m)}件`,
  /** The counter while the list's count is being read, or when the filter matches no line. */
  selectionCounterAlone: (n: number) => `対象回線選択:${formatCount(n)}件`,
  lineCount: (n: number) => `対象回線件数: ${formatCount(n)}件`,
  prev: "前へ",
  next: "次へ",
  page: (p: number, pages: number) => `${formatCount(p)}/${formatCount(pages)}`,
  loading: "読み込み中…",
  empty: "該当する回線はありません。",
  emptyReceipts: "該当する履歴はありません。",
  select: "選択",
  no: "No.",
  group: "グループ名",
  phone: "電話番号",
  name: "氏名",
  nameKana: "氏名(カナ)",
  affiliation: "所属名(1)",
  status: "ステータス",
  members: "メンバー数",
  backup: "バックアップ機能",
  migration: "電話帳移行機能",
  serviceMenu: "サービスメニュー",
  logout: "ログアウト",
  on: "ON",
  off: "OFF",
  networkError: "通信できませんでした。しばらく経ってから再度お試しください。",
  menuLink: "サービスメニューへ",
} as const;

export const loginTexts = {
  title: "ログイン",
  loginId: "管理者ID",
  password: "パスワード",
  submit: "ログイン",
} as const;

export const statusTexts = {
  line: { IN_SERVICE: "サービス中", PROCESSING: "処理中" },
  /** R16: a 3G line, shown instead of its status; it cannot be selected. */
  outOfService: "サービス対象外",
  contract: { ACTIVE: "契約中", CANCELLED: "解約済" },
  receipt: { PROCESSING: "処理中", SUCCEEDED: "正常終了", FAILED: "異常終了" },
  item: { PENDING: "受付済", PROCESSING: "処理中", SUCCEEDED: "正常終了", FAILED: "異常終了" },
  kind: {
    PERMISSION_CHANGE: "利用可否設定",
    APP_DOWNLOAD_MAIL: "アプリダウンロード依頼メール",
    PASSWORD_NOTICE_MAIL: "My SoftBankパスワード通知メール",
  },
  role: { MAIN: "管理者", SUB: "代理管理者(サブ管理者)", GROUP: "グループ管理者" },
} as const;

export const progressTexts = {
  label: "処理状況",
  counts: (p: { succeeded: number; failed: number; pending: number; processing: number; total: number }) =>
    `正常終了 ${formatCount(p.succeeded)}件 / 異常終了 ${formatCount(p.failed)}件 / 処理待ち ${formatCount(p.pending + p.processing)}件 (全${formatCount(p.total)}件)`,
} as const;

/**
 * Guidance of issue 17 (errors at the action, sessions, 手動更新, finished
 * batches, screen titles): not in the manual, worded in its style.
 */
export const guidanceTexts = {
  skipToMain: "本文へ移動",
  /** The name of a table's scrolling region (distinct from the screen's own name). */
  tableRegion: (table: string) => `${table}の表`,
  /** document.title of every screen: 「画面名 | サービス名」. */
  documentTitle: (screen: string) => `${screen} | ${serviceName}`,
  /** Lines the server named in an error, listed beside it (their rows are marked in the list). */
  flaggedLines: (phoneNumbers: readonly string[], total: number) =>
    `該当する回線（${formatCount(total)}件）: ${phoneNumbers.join("、")}${total > phoneNumbers.length ? ` ほか${formatCount(total - phoneNumbers.length)}件` : ""}`,
  flaggedRow: "（エラーの該当回線）",
  deselectFlagged: "該当行の選択を解除",
  /** R3's 200-line limit, counted on the groups screen as groups are chosen. */
  groupMembers: (n: number) => `対象回線数: ${formatCount(n)}件`,
  memberCount: (n: number) => `${formatCount(n)}名`,
  groupTargetUnset: "選択してください",
  groupTargetOn: "ON（利用可）",
  groupTargetOff: "OFF（利用不可）",
  groupTargetHelp:
    "選択したグループは、「バックアップ機能」「電話帳移行機能」ごとにON（利用可）またはOFF（利用不可）を選んでください。グループの全メンバーに同じ設定が適用されます。",
  groupTargetRequired: (groups: readonly string[]) =>
    `「${groups.join("」「")}」の「バックアップ機能」「電話帳移行機能」をONまたはOFFから選んでください。`,
  /** 確認: each feature as before → after. */
  beforeAfter: (before: string, after: string) => `${before} → ${after}`,
  unchanged: "変更なし",
  change: "変更",
  unchangedCount: (n: number, total: number) =>
    n === total
      ? `選択した${formatCount(total)}件の回線は、いずれも設定が変わりません（表の「変更なし」）。`
      : `設定が変わらない回線が${formatCount(n)}件あります（表の「変更なし」）。`,
} as const;

/** Why the administrator is asked to sign in again (session.tsx). */
export const sessionTexts = {
  ended: {
    IDLE: (seconds: number | null) =>
      `${seconds === null ? "一定時間" : seconds >= 60 && seconds % 60 === 0 ? `${formatCount(seconds / 60)}分間` : `${formatCount(seconds)}秒間`}操作がなかったため、ログアウトしました。再度ログインしてください。`,
    ENDED:
      "ログインの有効期限が切れたか、別の画面・端末でログアウトされたため、ログアウトしました。再度ログインしてください。",
    LOGGED_OUT_ELSEWHERE: "別のタブでログアウトしました。再度ログインしてください。",
  },
  resume: "ログインすると、操作していた画面に戻ります（選択中の内容はそのままです）。",
} as const;

/** 手動更新 (R8) on the line screens. */
export const refreshTexts = {
  button: "手動更新",
  help: "本日追加された回線（新規契約・MNP転入）は、「手動更新」を押すと一覧に表示されます。",
  added: (n: number) => `手動更新により${formatCount(n)}件の回線が追加されました。`,
  none: "手動更新しました。追加された回線はありません。",
  updated: (n: number) => `契約情報が更新された回線: ${formatCount(n)}件`,
  addedTitle: "追加された回線",
} as const;

/** A batch that finished while the administrator was elsewhere (components/BatchNotices.tsx). */
export const noticeTexts = {
  region: "お知らせ",
  finished: (kind: string, number: string, status: string) =>
    `${kind}（受付番号 ${number}）の処理が${status}しました。`,
  detail: "履歴詳細へ",
  close: "閉じる",
  /** Put before the screen's title while finished batches are unread. */
  titlePrefix: (n: number) => `【処理完了${n > 1 ? ` ${formatCount(n)}件` : ""}】`,
  enableNotifications: "処理の完了をデスクトップ通知で受け取る",
  notificationsOn: "処理が完了すると、デスクトップ通知でもお知らせします。",
  notificationsDenied: "このブラウザではデスクトップ通知が許可されていません。完了は画面上でお知らせします。",
} as const;

/**
 * Finding lines and items (issue 17 §6): 選択中のみ表示, sorting, page numbers,
 * the device column and 履歴詳細's filters. The device names are the manual's;
 * the other labels are not in it, worded in its style.
 */
export const findTexts = {
  device: "機種",
  devices: {
    FEATURE_PHONE_4G: "4Gケータイ",
    IPHONE: "iPhone",
    SMARTPHONE: "スマートフォン",
    WINDOWS10_MOBILE: "Windows 10 Mobile",
    FEATURE_PHONE_3G: "3Gケータイ",
  },
  selectedOnly: "選択中のみ表示",
  /** The sort button of a column header: what pressing it does. */
  sortBy: (column: string) => `${column}で並べ替え`,
  pages: "ページ",
  pageNumber: (n: number) => `${formatCount(n)}ページ目`,
  jumpLabel: "ページ番号",
  jump: "移動",
  jumpOf: (pages: number) => `/ ${formatCount(pages)}ページ`,
  /** 履歴詳細: 指定なし/検索/クリア over the receipt's lines. */
  itemFiltersLabel: "対象回線の絞り込み",
  itemStatus: "ステータス",
  itemPhone: "電話番号",
  itemPhonePlaceholder: "電話番号（一部でも可）",
  itemStatuses: { PROCESSING: "処理中", SUCCEEDED: "正常終了", FAILED: "異常終了" },
  emptyItems: "該当する回線はありません。",
} as const;

/**
 * 「CSV出力」 (issue 17.3) on the line lists, 履歴 and 履歴詳細: not in the
 * manual, worded in its style. The server's refusals carry their own texts
 * (domain/messages.ts exportErrorMessages).
 */
export const csvExportTexts = {
  action: "CSV出力",
  /** What each button exports. */
  lines: "回線一覧",
  history: "履歴",
  detail: "履歴詳細",
  encoding: "文字コード",
  encodings: { utf8: "UTF-8 (BOM付き)", sjis: "Shift_JIS" },
  /** The group's accessible name: what it exports. */
  label: (what: string) => `${what}をCSV出力`,
  exporting: "CSVファイルを作成しています…",
  failed: "CSV出力できませんでした。しばらく経ってから再度お試しください。",
} as const;

/** 監査ログ (MAIN administrators; READ_AUDIT): who did what, when, from where. Labels as server's auditTexts. */
export const auditLogTexts = {
  menuEntry: {
    path: "/audit",
    title: "監査ログ",
    help: [
      "管理者やAPIトークンによる操作(ログイン、利用可否設定、メール送信、パスワード照会など)の記録を確認できます。",
    ],
  },
  title: "監査ログ",
  lead: [
    "管理者およびAPIトークンによる操作の記録です。新しい順に表示します。",
    "パスワード照会は記録されますが、パスワードそのものは記録されません。",
  ],
  period: "期間",
  from: "期間 から",
  to: "期間 まで",
  action: "操作",
  actor: "管理者",
  phone: "電話番号",
  at: "日時",
  actorName: "管理者名",
  actorId: "管理者ID",
  ip: "IPアドレス",
  lines: "対象回線",
  receipt: "受付番号",
  count: (n: number) => `操作件数: ${formatCount(n)}件`,
  linesCount: (n: number) => `${formatCount(n)}件`,
  empty: "該当する操作はありません。",
  tokenActor: (name: string) => `APIトークン: ${name}`,
  csv: "監査ログ",
  pages: "監査ログのページ",
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
} as const;

/**
 * Webhook (MAIN administrators): the disabled-endpoint notice on every screen
 * (components/WebhookNotices.tsx; its text is the server's, as mailed) and the
 * read-only list of endpoints (screens/Webhooks.tsx). Not in the manual.
 */
export const webhookTexts = {
  menuEntry: {
    path: "/webhooks",
    title: "Webhook",
    help: ["MDMツールなどへイベントを送信するWebhookの送信先と、その送信状況を確認できます。"],
  },
  noticeRegion: "Webhookのお知らせ",
  /** After the server's notice: it shows until the endpoint is enabled again (there is nothing to close). */
  noticeUntil: "Webhookを再開すると、このお知らせは表示されなくなります。",
  toList: "Webhook一覧へ",
  title: "Webhook",
  lead: [
    "登録されているWebhookの送信先です。送信先の登録・変更・再開はAPIで行います。",
    "送信に失敗し続けた送信先は停止され、各画面と特権管理者あてのメールでお知らせします。",
  ],
  url: "送信先URL",
  eventTypes: "イベント種別",
  group: "対象グループ",
  allGroups: "すべて",
  status: "状態",
  disabledReason: "停止理由",
  failingSince: "失敗が続いている期間",
  lastSuccess: "最終送信成功日時",
  none: "－",
  statuses: { ACTIVE: "送信中", FAILING: "送信失敗中", DISABLED: "停止中" },
  reasons: {
    FAILING: "送信の失敗が続いたため",
    BY_ADMINISTRATOR: "管理者が停止",
  } as Record<string, string>,
  failingFrom: (since: string) => `${since}から`,
  eventTypeNames: {
    RECEIPT_ACCEPTED: "受付",
    RECEIPT_COMPLETED: "処理完了",
    RECEIPT_ITEM_COMPLETED: "回線ごとの処理完了",
    LINE_CHANGED: "回線の変更",
    API_TOKEN_CREATED: "APIトークン発行",
    API_TOKEN_REVOKED: "APIトークン失効",
  },
  empty: "登録されているWebhookはありません。",
  count: (n: number) => `送信先: ${formatCount(n)}件`,
} as const;
