// Every label of the web client, in the manual's Japanese. Rule messages
// (R3–R5, R9, R10, R14) come from the server's one list, domain/messages.ts.
export {
  screenTexts,
  targetLineCount,
  userErrorMessages,
  waitingMessages,
} from "../../domain/messages.ts";

export const serviceName = "あんしんバックアップ／連絡先コピー設定";

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
  count: (n: number) => `受付件数: ${n}件`,
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
  selectionCounter: (n: number, m: number) => `対象回線選択:${n}件/${m}件`,
  lineCount: (n: number) => `対象回線件数: ${n}件`,
  prev: "前へ",
  next: "次へ",
  page: (p: number, pages: number) => `${p}/${pages}`,
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
    `正常終了 ${p.succeeded}件 / 異常終了 ${p.failed}件 / 処理待ち ${p.pending + p.processing}件 (全${p.total}件)`,
} as const;
