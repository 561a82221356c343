/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** An administrator's role (権限). */
export type AdminRole =
  /** グループ管理者: only the lines of their groups, and only their own receipts. */
  | 'GROUP'
  /** 管理者: everything, including API tokens, webhooks and the audit log. */
  | 'MAIN'
  /** 代理管理者(サブ管理者): everything except API tokens, webhooks and the audit log. */
  | 'SUB';

/** A permission of an API token (MDM tools); an administrator's role implies its own set (Viewer.scopes). */
export type ApiScope =
  /** 利用可否設定: preview, submit and retry permission changes; 手動更新 (refreshLines). */
  | 'CHANGE_PERMISSIONS'
  /** Ask featureAccess, as the device apps do (R12). */
  | 'CHECK_FEATURE_ACCESS'
  /** Register, change, test and delete webhook endpoints; read their deliveries. */
  | 'MANAGE_WEBHOOKS'
  /** Read the audit log (監査ログ, auditEvents). */
  | 'READ_AUDIT'
  /** Read lines and groups (lines, groups, line, lineChanges, lineStatusChanged). */
  | 'READ_LINES'
  /** パスワード照会 (inquirePasswords, audited) and the mail outbox. */
  | 'READ_PASSWORDS'
  /** Read receipts and their items, and watch receiptProgress. */
  | 'READ_RECEIPTS'
  /** Send and resend app-download and password notice mail. */
  | 'SEND_MAIL';

/** What an administrator or API token did (操作). */
export type AuditAction =
  /** An API token was created. */
  | 'API_TOKEN_CREATED'
  /** An API token was revoked. */
  | 'API_TOKEN_REVOKED'
  /** アプリダウンロード依頼メール accepted. */
  | 'APP_DOWNLOAD_MAIL_REQUESTED'
  /** アプリダウンロード依頼メール resent from 履歴詳細. */
  | 'APP_DOWNLOAD_MAIL_RESENT'
  /** 手動更新: the line list was refreshed from the carrier. */
  | 'LINES_REFRESHED'
  /** ログイン: an administrator signed in. */
  | 'LOGIN'
  /** A sign-in with a wrong password for an existing administrator. */
  | 'LOGIN_FAILED'
  /** Any other action (newer than this schema); actionCode names it. */
  | 'OTHER'
  /** パスワード照会: passwords of the lines were shown (the log never holds them). */
  | 'PASSWORD_INQUIRY'
  /** My SoftBankパスワード通知メール accepted. */
  | 'PASSWORD_NOTICE_MAIL_REQUESTED'
  /** My SoftBankパスワード通知メール resent from 履歴詳細. */
  | 'PASSWORD_NOTICE_MAIL_RESENT'
  /** Failed lines of a permission change retried (a new receipt). */
  | 'PERMISSION_CHANGE_RETRIED'
  /** 利用可否設定 accepted (the receipt). */
  | 'PERMISSION_CHANGE_SUBMITTED';

/** Who acted: an administrator or an API token. */
export type AuditActorKind =
  /** A signed-in administrator (管理者). */
  | 'ADMINISTRATOR'
  /** An MDM tool's API token. */
  | 'API_TOKEN';

/** Which entries of the audit log: all conditions given must hold. */
export type AuditEventFilter = {
  /** 操作: entries of this action. */
  action?: AuditAction | null | undefined;
  /** 管理者: entries of this administrator or API token (AuditActor.id). */
  actor?: string | number | null | undefined;
  /** 期間 from (inclusive). */
  from?: string | null | undefined;
  /** Entries about this line. */
  lineId?: string | number | null | undefined;
  /** 電話番号: entries about the line with this number (with or without hyphens). */
  phoneNumber?: string | null | undefined;
  /** 期間 to (inclusive). */
  to?: string | null | undefined;
};

/** The line's contract (契約状態). */
export type ContractStatus =
  /** In contract. */
  | 'ACTIVE'
  /** 解約済: cancelled; it cannot be selected (R3). */
  | 'CANCELLED';

/** The line's kind of device (機種). */
export type DeviceKind =
  /** 3G feature phone: サービス対象外, out of service for this product (R16). */
  | 'FEATURE_PHONE_3G'
  /** 4Gケータイ (4G feature phone): needs no app-download mail (R9). */
  | 'FEATURE_PHONE_4G'
  /** iPhone. */
  | 'IPHONE'
  /** スマートフォン (Android). */
  | 'SMARTPHONE'
  /** Windows 10 Mobile (連絡先コピー app). */
  | 'WINDOWS10_MOBILE';

/** グループから選択: a group, and one target pair for all its members (R6). */
export type GroupTargetInput = {
  /** Allow the backup feature (バックアップ機能) on every member. */
  backup: boolean;
  /** The group (Group.id). */
  groupId: string | number;
  /** Allow the phonebook migration feature (電話帳移行機能) on every member. */
  phonebookMigration: boolean;
};

/** The lines whose passwords are asked for, up to 200. */
export type InquirePasswordsInput = {
  /** Line ids (Line.id), 1–200. */
  lineIds: Array<string | number>;
};

/** Narrows `lines` (絞り込み): every field given must match. */
export type LineFilter = {
  /** Only lines that never got the app-download mail. */
  appDownloadMailNeverSent?: boolean | null | undefined;
  /** Only lines with this contract status. */
  contractStatus?: ContractStatus | null | undefined;
  /** Only lines of this device kind (機種). */
  deviceKind?: DeviceKind | null | undefined;
  /** Only lines of these device kinds (機種); an empty list matches no line. */
  deviceKinds?: Array<DeviceKind> | null | undefined;
  /** Only lines of this group (グループ). */
  groupId?: string | number | null | undefined;
  /** Only these lines (e.g. the ones selected: 選択中のみ表示), at most 200; ids the caller may not see match nothing. An empty list matches no line. */
  ids?: Array<string | number> | null | undefined;
  /** 依頼メール送信日時 from (inclusive) */
  lastAppDownloadMailFrom?: string | null | undefined;
  /** 依頼メール送信日時 to (inclusive) */
  lastAppDownloadMailTo?: string | null | undefined;
  /** true: only lines out of service for this product (3G, サービス対象外), which no selection may hold (R16); false: only the others. */
  outOfService?: boolean | null | undefined;
  /** Words (up to 5; each must match) found in the phone number, name, kana, affiliation or group name, as people type them: full-width digits and letters, half-width kana, hiragana for the kana (やまだ finds ヤマダ), a phone number or part of it with or without hyphens (9012 finds 090-1234-…). */
  search?: string | null | undefined;
  /** Only lines with this status (ステータス). */
  status?: LineStatus | null | undefined;
  /** Only lines in no group. */
  ungrouped?: boolean | null | undefined;
};

/** How `lines` is sorted. A cursor belongs to the order it was read in: pass it back with the same orderBy. */
export type LineOrder = {
  /** Default ASC. */
  direction?: OrderDirection | null | undefined;
  /** The column (並び替え). */
  field: LineOrderField;
};

/** A column `lines` can be sorted by; ties are broken by the phone number (in the same direction). */
export type LineOrderField =
  /** The department (所属名). */
  | 'AFFILIATION'
  /** 契約状態: ACTIVE, then CANCELLED. */
  | 'CONTRACT_STATUS'
  /** 機種, in the order of the DeviceKind enum. */
  | 'DEVICE_KIND'
  /** グループ名; lines in no group come last ascending. */
  | 'GROUP_NAME'
  /** 依頼メール送信日時; lines never mailed come last ascending. */
  | 'LAST_APP_DOWNLOAD_MAIL_AT'
  /** The holder's name (氏名). */
  | 'NAME'
  /** The holder's name in katakana (氏名(カナ)). */
  | 'NAME_KANA'
  /** 電話番号 (the default). */
  | 'PHONE_NUMBER'
  /** ステータス: IN_SERVICE, then PROCESSING. */
  | 'STATUS';

/** One row of a selection: a phone number and, for 利用可否設定, its targets (handed back as given). */
export type LineSelectionRowInput = {
  /** バックアップ機能 target for this line; null keeps the line's. */
  backup?: boolean | null | undefined;
  /** With or without hyphens, full-width digits, +81, or without Excel's lost leading zero. */
  phoneNumber: string;
  /** 電話帳移行機能 target for this line; null keeps the line's. */
  phonebookMigration?: boolean | null | undefined;
};

/** What a row of resolveLineSelection selects, or why it selects nothing. */
export type LineSelectionStatus =
  /** The line is cancelled (解約済); R3's text. */
  | 'CANCELLED'
  /** An earlier row has the same number (as normalized); that row decides it. */
  | 'DUPLICATE'
  /** The text is no mobile phone number (11 digits). */
  | 'INVALID_PHONE_NUMBER'
  /** No line the caller may see has this number: unknown, not listed yet (R8), another account's, or outside a GROUP administrator's groups, alike. */
  | 'NOT_FOUND'
  /** A 3G line (サービス対象外, R16); R3's text. */
  | 'OUT_OF_SERVICE'
  /** The row's line is selectable and within the first 200. */
  | 'SELECTED'
  /** A selectable line past the first 200 (R3's text); rows that select nothing do not count. */
  | 'TOO_MANY_LINES';

/** The line's status (ステータス). */
export type LineStatus =
  /** サービス中: no change in flight. */
  | 'IN_SERVICE'
  /** 処理中: a permission change for it is in flight (R5). */
  | 'PROCESSING';

/** One line and its target pair (R6). */
export type LineTargetInput = {
  /** Allow the backup feature (バックアップ機能: save and restore together, R2). */
  backup: boolean;
  /** The line (Line.id). */
  lineId: string | number;
  /** Allow the phonebook migration feature (電話帳移行機能). */
  phonebookMigration: boolean;
  /** The line's version as shown at 確認 (PermissionChangeTarget.version); a changed line is refused with CONFLICT (R5, R18). */
  version?: number | null | undefined;
};

/** Which way a sort runs (昇順 / 降順). */
export type OrderDirection =
  /** Ascending. */
  | 'ASC'
  /** Descending. */
  | 'DESC';

/** 利用可否設定: lines and groups with their target pairs; at most 200 lines once groups are expanded (R3). */
export type PermissionChangeInput = {
  /** Groups: one pair for all members (R6). */
  groups?: Array<GroupTargetInput> | null | undefined;
  /** R17: 1–200 characters (spaces around it are ignored). A retry by the same administrator or API token with the same key and the same request returns the original receipt (replayed: true); the same key with a different request is refused with IDEMPOTENCY_KEY_REUSED. Keys are per caller and per kind of receipt: another administrator's or token's key is unrelated. */
  idempotencyKey?: string | null | undefined;
  /** Lines with their own target pair (R6). */
  lines?: Array<LineTargetInput> | null | undefined;
  /** The previewToken of the 確認 this input was confirmed with (R18; at most 16384 characters). Every expanded line must still have the version, and every group the members, that the preview saw, or the request is refused with CONFLICT; unlike lines' own versions it also covers group members. It must describe this input (the same lines and groups with the same pairs), or PREVIEW_TOKEN_MISMATCH; INVALID_PREVIEW_TOKEN when it does not decode. */
  previewToken?: string | null | undefined;
};

/** Narrows `receipts` (履歴's 検索): every field given must match. */
export type ReceiptFilter = {
  /** Receipts of one administrator. */
  adminId?: string | number | null | undefined;
  /** Only receipts of this kind (利用メニュー). */
  kind?: ReceiptKind | null | undefined;
  /** A receipt number or any part of it (e.g. its YYYYMMDD date or its last digits); full-width digits, spaces, hyphens and dots are read as typed on a receipt. */
  number?: string | null | undefined;
  /** 受付日時 from (inclusive). */
  receivedFrom?: string | null | undefined;
  /** 受付日時 to (inclusive). */
  receivedTo?: string | null | undefined;
  /** Only receipts with this status (ステータス). */
  status?: ReceiptStatus | null | undefined;
};

/** Narrows a receipt's items (履歴詳細's 指定なし/検索/クリア). */
export type ReceiptItemFilter = {
  /** A phone number or part of it, with or without hyphens, full-width digits allowed (1234 finds 090-1234-5678). */
  phoneNumber?: string | null | undefined;
  /** Items in any of these statuses. The screen's 処理中 is PENDING and PROCESSING, 正常終了 SUCCEEDED, 異常終了 FAILED. An empty list matches no item. */
  statuses?: Array<ReceiptItemStatus> | null | undefined;
};

/** Where one line of a receipt stands. */
export type ReceiptItemStatus =
  /** 異常終了: refused for good, or the retry horizon passed (error says why). */
  | 'FAILED'
  /** 処理中 (not started): waiting for the worker. */
  | 'PENDING'
  /** 処理中: being applied, or waiting out an outage (waitingFor). */
  | 'PROCESSING'
  /** 正常終了: applied. */
  | 'SUCCEEDED';

/** What a receipt is for (利用メニュー). */
export type ReceiptKind =
  /** The app-download request mail (アプリダウンロード依頼メール, R9). */
  | 'APP_DOWNLOAD_MAIL'
  /** The My SoftBank password notice mail (My SoftBankパスワード通知メール, R10). */
  | 'PASSWORD_NOTICE_MAIL'
  /** A permission change (利用可否設定, R6, R7). */
  | 'PERMISSION_CHANGE';

/** Where a receipt stands (ステータス). */
export type ReceiptStatus =
  /** 異常終了: every item is final and at least one failed. */
  | 'FAILED'
  /** 処理中: some items are not final yet. */
  | 'PROCESSING'
  /** 正常終了: every item succeeded. */
  | 'SUCCEEDED';

/** 再送信: items of a mail receipt to send again (R11). */
export type ResendMailInput = {
  /** Items to resend; all of the receipt's items when omitted. */
  itemIds?: Array<string | number> | null | undefined;
  /** The mail receipt (Receipt.id). */
  receiptId: string | number;
};

/** Exactly one of phoneNumbers and rows, at most 1,000 of them (schema/input-bounds.ts). */
export type ResolveLineSelectionInput = {
  /** The numbers, one per row, in order. */
  phoneNumbers?: Array<string> | null | undefined;
  /** The numbers with per-row targets (a CSV with バックアップ機能 / 電話帳移行機能 columns). */
  rows?: Array<LineSelectionRowInput> | null | undefined;
};

/** 異常終了分を再設定: the failed items of a permission change to retry (R19). */
export type RetryFailedItemsInput = {
  /** R17: 1–200 characters (spaces around it are ignored). A retry by the same administrator or API token with the same key and the same request returns the original receipt (replayed: true); the same key with a different request is refused with IDEMPOTENCY_KEY_REUSED. Keys are per caller and per kind of receipt: another administrator's or token's key is unrelated. */
  idempotencyKey?: string | null | undefined;
  /** Failed items of that receipt to retry; when omitted, its failed items that no retry took up yet (Receipt.retryableItemCount; NOTHING_TO_RETRY when there are none). An item of another receipt is NOT_FOUND, one that did not fail ITEM_NOT_FAILED; an empty list is NO_LINES_SELECTED (R3). */
  itemIds?: Array<string | number> | null | undefined;
  /** The permission change whose failed items are retried. */
  receiptId: string | number;
};

/** The lines to mail (対象回線), up to 200. */
export type SendMailInput = {
  /** R17: 1–200 characters (spaces around it are ignored). A retry by the same administrator or API token with the same key and the same request returns the original receipt (replayed: true); the same key with a different request is refused with IDEMPOTENCY_KEY_REUSED. Keys are per caller and per kind of receipt: another administrator's or token's key is unrelated. */
  idempotencyKey?: string | null | undefined;
  /** Line ids (Line.id), 1–200. */
  lineIds: Array<string | number>;
};

/** Who is calling. */
export type ViewerKind =
  /** A signed-in administrator (login). */
  | 'ADMINISTRATOR'
  /** An API token (MDM tools). */
  | 'API_TOKEN';

/** What an item in PROCESSING waits for: that dependency is down, and the item is retried automatically. */
export type WaitingFor =
  /** The carrier's provisioning system does not answer. */
  | 'CARRIER'
  /** The mail server does not accept mail. */
  | 'MAIL_SERVER';

/** What a webhook endpoint subscribes to (イベント種別); the JSON `type` is the dotted form (receipt.completed). */
export type WebhookEventType =
  /** api_token.created (APIトークン発行): data: apiToken {id, name, scopes}, never its secret. Not sent to endpoints limited to a group. */
  | 'API_TOKEN_CREATED'
  /** api_token.revoked (APIトークン失効): data: apiToken {id, name, scopes}. Not sent to endpoints limited to a group. */
  | 'API_TOKEN_REVOKED'
  /** line.changed (回線の変更): a line's state after a change; data: line {id, phoneNumber, version, status, contractStatus, backup, phonebookMigration, groupId, lastAppDownloadMailAt}; version increases on every change of the line. */
  | 'LINE_CHANGED'
  /** receipt.accepted (受付): a request (permission change or mail) was accepted; data: receipt {id, number, kind, status: PROCESSING} and lineIds. */
  | 'RECEIPT_ACCEPTED'
  /** receipt.completed (処理完了): every line of a receipt is done; data: receipt {id, number, kind, status, completedAt, succeeded, failed}, the last two counting lines. */
  | 'RECEIPT_COMPLETED'
  /** receipt.item_completed (回線ごとの処理完了): one line of a receipt is done; data: receipt {id, number, kind} and item {id, status, line {id, phoneNumber}, error {code, message} or null}. */
  | 'RECEIPT_ITEM_COMPLETED';

export type CsvLineSelectionQueryVariables = Exact<{
  input: ResolveLineSelectionInput;
}>;


export type CsvLineSelectionQuery = { resolveLineSelection: { rows: Array<{ index: number, status: LineSelectionStatus, message: string | null, backup: boolean | null, phonebookMigration: boolean | null, line: { id: string, phoneNumber: string, name: string, backup: boolean, phonebookMigration: boolean, group: { id: string, name: string } | null } | null }> } };

export type LogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type LogoutMutation = { logout: boolean };

export type GroupOptionsQueryVariables = Exact<{ [key: string]: never; }>;


export type GroupOptionsQuery = { groups: { edges: Array<{ node: { id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null, startCursor: string | null, hasPreviousPage: boolean } } };

export type ReceiptProgressLiveSubscriptionVariables = Exact<{
  receiptId: string | number;
  afterSeq?: number | null | undefined;
}>;


export type ReceiptProgressLiveSubscription = { receiptProgressBatch: { lastSeq: number, receipt: { id: string, status: ReceiptStatus, completedAt: string | null, waitingFor: WaitingFor | null, retryAt: string | null, progress: { total: number, pending: number, processing: number, succeeded: number, failed: number } }, events: Array<{ seq: number, snapshot: boolean, status: ReceiptStatus, item: { id: string, status: ReceiptItemStatus, completedAt: string | null, waitingFor: WaitingFor | null, retryAt: string | null, error: { code: string, message: string } | null } | null }> } };

export type RefreshLinesMutationVariables = Exact<{ [key: string]: never; }>;


export type RefreshLinesMutation = { refreshLines: { added: number, updated: number, addedLines: Array<{ id: string, phoneNumber: string, name: string, group: { id: string, name: string } | null }>, userErrors: Array<{ code: string, message: string }> } };

export type WebhookNoticesQueryVariables = Exact<{ [key: string]: never; }>;


export type WebhookNoticesQuery = { webhookNotices: Array<{ id: string, message: string, createdAt: string, endpoint: { id: string } }> };

export type ResendAppDownloadMailMutationVariables = Exact<{
  input: ResendMailInput;
}>;


export type ResendAppDownloadMailMutation = { resendAppDownloadMail: { receipt: { id: string, number: string, status: ReceiptStatus, progress: { total: number, pending: number, processing: number, succeeded: number, failed: number } } | null, skipped: Array<{ code: string, reason: string, line: { id: string, phoneNumber: string, name: string } }>, userErrors: Array<{ code: string, message: string, lineIds: Array<string> }> } };

export type ResendPasswordNoticeMutationVariables = Exact<{
  input: ResendMailInput;
}>;


export type ResendPasswordNoticeMutation = { resendPasswordNotice: { receipt: { id: string, number: string, status: ReceiptStatus, progress: { total: number, pending: number, processing: number, succeeded: number, failed: number } } | null, skipped: Array<{ code: string, reason: string, line: { id: string, phoneNumber: string, name: string } }>, userErrors: Array<{ code: string, message: string, lineIds: Array<string> }> } };

export type ReceiptLineageQueryVariables = Exact<{
  number: string;
}>;


export type ReceiptLineageQuery = { receipt: { id: string, retryableItemCount: number, resendOf: { id: string, number: string } | null, resends: { totalCount: number, edges: Array<{ node: { id: string, number: string, status: ReceiptStatus } }> } } | null };

export type RetryFailedItemsMutationVariables = Exact<{
  input: RetryFailedItemsInput;
}>;


export type RetryFailedItemsMutation = { retryFailedItems: { replayed: boolean, receipt: { id: string, number: string, status: ReceiptStatus } | null, userErrors: Array<{ code: string, message: string, field: string | null, lineIds: Array<string> }> } };

export type SettledItemsQueryVariables = Exact<{
  number: string;
}>;


export type SettledItemsQuery = { receipt: { id: string, items: { edges: Array<{ node: { id: string, status: ReceiptItemStatus, completedAt: string | null, waitingFor: WaitingFor | null, retryAt: string | null, error: { code: string, message: string } | null } }> } } | null };

export type MailLinesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  offset?: number | null | undefined;
  filter?: LineFilter | null | undefined;
  orderBy?: LineOrder | null | undefined;
}>;


export type MailLinesQuery = { lines: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null, hasPreviousPage: boolean, startCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, phoneNumber: string, name: string, nameKana: string, affiliation: string, status: LineStatus, contractStatus: ContractStatus, deviceKind: DeviceKind, lastAppDownloadMailAt: string | null, group: { id: string, name: string } | null } }> } };

export type MailRequestFieldsFragment = { receipt: { id: string, number: string, status: ReceiptStatus, progress: { total: number, pending: number, processing: number, succeeded: number, failed: number } } | null, skipped: Array<{ code: string, reason: string, line: { id: string, phoneNumber: string, name: string } }>, userErrors: Array<{ code: string, message: string, lineIds: Array<string> }> };

export type InquirePasswordsMutationVariables = Exact<{
  input: InquirePasswordsInput;
}>;


export type InquirePasswordsMutation = { inquirePasswords: { passwords: Array<{ password: string, line: { id: string } }>, userErrors: Array<{ code: string, message: string }> } };

export type PreselectionQueryVariables = Exact<{
  number: string;
}>;


export type PreselectionQuery = { receipt: { id: string, kind: ReceiptKind, items: { edges: Array<{ node: { id: string, backup: boolean | null, phonebookMigration: boolean | null, phoneNumber: string, name: string, groupName: string | null, line: { id: string } | null } }> } } | null };

export type ReceiptItemsQueryVariables = Exact<{
  number: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  filter?: ReceiptItemFilter | null | undefined;
}>;


export type ReceiptItemsQuery = { receipt: { id: string, items: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null, hasPreviousPage: boolean, startCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, phoneNumber: string, name: string, groupName: string | null, backup: boolean | null, phonebookMigration: boolean | null, status: ReceiptItemStatus, completedAt: string | null, waitingFor: WaitingFor | null, retryAt: string | null, error: { code: string, message: string } | null, line: { id: string } | null } }> } } | null };

export type PreviewPermissionChangeMutationVariables = Exact<{
  input: PermissionChangeInput;
}>;


export type PreviewPermissionChangeMutation = { previewPermissionChange: { totalCount: number, previewToken: string | null, userErrors: Array<{ code: string, message: string, lineIds: Array<string> }>, warnings: Array<{ code: string, message: string, lineIds: Array<string> }>, lines: Array<{ backup: boolean, phonebookMigration: boolean, sharedPhonebookWarning: boolean, version: number, line: { id: string, phoneNumber: string, name: string, backup: boolean, phonebookMigration: boolean, group: { id: string, name: string } | null } }> } };

export type SendAppDownloadMailMutationVariables = Exact<{
  input: SendMailInput;
}>;


export type SendAppDownloadMailMutation = { sendAppDownloadMail: { receipt: { id: string, number: string, status: ReceiptStatus, progress: { total: number, pending: number, processing: number, succeeded: number, failed: number } } | null, skipped: Array<{ code: string, reason: string, line: { id: string, phoneNumber: string, name: string } }>, userErrors: Array<{ code: string, message: string, lineIds: Array<string> }> } };

export type AuditEventsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  filter?: AuditEventFilter | null | undefined;
}>;


export type AuditEventsQuery = { auditEvents: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null, hasPreviousPage: boolean, startCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, action: AuditAction, at: string, ipAddress: string | null, lineCount: number, actor: { kind: AuditActorKind, id: string | null, name: string, loginId: string | null }, lines: Array<{ id: string, phoneNumber: string }>, receipt: { id: string, number: string } | null } }> } };

export type AuditActorsQueryVariables = Exact<{ [key: string]: never; }>;


export type AuditActorsQuery = { auditActors: Array<{ kind: AuditActorKind, id: string | null, name: string, loginId: string | null }> };

export type ReceiptsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  filter?: ReceiptFilter | null | undefined;
}>;


export type ReceiptsQuery = { receipts: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null, hasPreviousPage: boolean, startCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, number: string, kind: ReceiptKind, status: ReceiptStatus, receivedAt: string, completedAt: string | null, admin: { name: string, loginId: string }, progress: { total: number, pending: number, processing: number, succeeded: number, failed: number } } }> } };

export type ReceiptHeaderQueryVariables = Exact<{
  number: string;
}>;


export type ReceiptHeaderQuery = { receipt: { id: string, number: string, kind: ReceiptKind, status: ReceiptStatus, receivedAt: string, completedAt: string | null, waitingFor: WaitingFor | null, retryAt: string | null, admin: { name: string, loginId: string }, progress: { total: number, pending: number, processing: number, succeeded: number, failed: number } } | null };

export type DoneReceiptQueryVariables = Exact<{
  number: string;
}>;


export type DoneReceiptQuery = { receipt: { id: string, number: string, kind: ReceiptKind, status: ReceiptStatus, progress: { total: number, pending: number, processing: number, succeeded: number, failed: number } } | null };

export type SendPasswordNoticeMutationVariables = Exact<{
  input: SendMailInput;
}>;


export type SendPasswordNoticeMutation = { sendPasswordNotice: { receipt: { id: string, number: string, status: ReceiptStatus, progress: { total: number, pending: number, processing: number, succeeded: number, failed: number } } | null, skipped: Array<{ code: string, reason: string, line: { id: string, phoneNumber: string, name: string } }>, userErrors: Array<{ code: string, message: string, lineIds: Array<string> }> } };

export type SubmitPermissionChangeMutationVariables = Exact<{
  input: PermissionChangeInput;
}>;


export type SubmitPermissionChangeMutation = { submitPermissionChange: { receipt: { id: string, number: string, status: ReceiptStatus, progress: { total: number, pending: number, processing: number, succeeded: number, failed: number } } | null, userErrors: Array<{ code: string, message: string, lineIds: Array<string> }> } };

export type PermissionDoneQueryVariables = Exact<{
  number: string;
}>;


export type PermissionDoneQuery = { receipt: { id: string, number: string, kind: ReceiptKind, status: ReceiptStatus, progress: { total: number, pending: number, processing: number, succeeded: number, failed: number } } | null };

export type PermissionGroupsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type PermissionGroupsQuery = { groups: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null, hasPreviousPage: boolean, startCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, name: string, memberCount: number, selectable: boolean } }> } };

export type PermissionLinesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  offset?: number | null | undefined;
  filter?: LineFilter | null | undefined;
  orderBy?: LineOrder | null | undefined;
}>;


export type PermissionLinesQuery = { lines: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null, hasPreviousPage: boolean, startCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, phoneNumber: string, name: string, status: LineStatus, contractStatus: ContractStatus, deviceKind: DeviceKind, backup: boolean, phonebookMigration: boolean, version: number, group: { id: string, name: string } | null } }> } };

export type LineStatusSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type LineStatusSubscription = { lineStatusChanged: { id: string, status: LineStatus, backup: boolean, phonebookMigration: boolean, version: number } };

export type AcceptanceWindowQueryVariables = Exact<{ [key: string]: never; }>;


export type AcceptanceWindowQuery = { acceptanceWindow: { open: boolean, opensAt: string, closesAt: string } };

export type WebhookEndpointsQueryVariables = Exact<{ [key: string]: never; }>;


export type WebhookEndpointsQuery = { webhookEndpoints: { edges: Array<{ node: { id: string, url: string, eventTypes: Array<WebhookEventType>, disabledAt: string | null, disabledReason: string | null, failingSince: string | null, lastSuccessAt: string | null, group: { id: string, name: string } | null } }> } };

export type LoginMutationVariables = Exact<{
  loginId: string;
  password: string;
}>;


export type LoginMutation = { login: { token: string | null, userErrors: Array<{ code: string, message: string }> } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { kind: ViewerKind, scopes: Array<ApiScope>, sessionIdleTimeoutSeconds: number | null, account: { id: string, name: string }, administrator: { id: string, name: string, loginId: string, role: AdminRole } | null } | null };

export const MailRequestFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MailRequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MailRequestPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"processing"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"skipped"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"line"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"lineIds"}}]}}]}}]} as unknown as DocumentNode<MailRequestFieldsFragment, unknown>;
export const CsvLineSelectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CsvLineSelection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ResolveLineSelectionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resolveLineSelection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rows"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"backup"}},{"kind":"Field","name":{"kind":"Name","value":"phonebookMigration"}},{"kind":"Field","name":{"kind":"Name","value":"line"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"backup"}},{"kind":"Field","name":{"kind":"Name","value":"phonebookMigration"}},{"kind":"Field","name":{"kind":"Name","value":"group"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CsvLineSelectionQuery, CsvLineSelectionQueryVariables>;
export const LogoutDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Logout"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"logout"}}]}}]} as unknown as DocumentNode<LogoutMutation, LogoutMutationVariables>;
export const GroupOptionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GroupOptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"groups"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}}]}}]}}]}}]} as unknown as DocumentNode<GroupOptionsQuery, GroupOptionsQueryVariables>;
export const ReceiptProgressLiveDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ReceiptProgressLive"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"receiptId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"afterSeq"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receiptProgressBatch"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"receiptId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"receiptId"}}},{"kind":"Argument","name":{"kind":"Name","value":"afterSeq"},"value":{"kind":"Variable","name":{"kind":"Name","value":"afterSeq"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lastSeq"}},{"kind":"Field","name":{"kind":"Name","value":"receipt"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"completedAt"}},{"kind":"Field","name":{"kind":"Name","value":"waitingFor"}},{"kind":"Field","name":{"kind":"Name","value":"retryAt"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"processing"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"snapshot"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"item"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"completedAt"}},{"kind":"Field","name":{"kind":"Name","value":"waitingFor"}},{"kind":"Field","name":{"kind":"Name","value":"retryAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ReceiptProgressLiveSubscription, ReceiptProgressLiveSubscriptionVariables>;
export const RefreshLinesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RefreshLines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshLines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"added"}},{"kind":"Field","name":{"kind":"Name","value":"updated"}},{"kind":"Field","name":{"kind":"Name","value":"addedLines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"group"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<RefreshLinesMutation, RefreshLinesMutationVariables>;
export const WebhookNoticesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WebhookNotices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"webhookNotices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"endpoint"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<WebhookNoticesQuery, WebhookNoticesQueryVariables>;
export const ResendAppDownloadMailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ResendAppDownloadMail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ResendMailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resendAppDownloadMail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MailRequestFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MailRequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MailRequestPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"processing"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"skipped"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"line"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"lineIds"}}]}}]}}]} as unknown as DocumentNode<ResendAppDownloadMailMutation, ResendAppDownloadMailMutationVariables>;
export const ResendPasswordNoticeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ResendPasswordNotice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ResendMailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resendPasswordNotice"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MailRequestFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MailRequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MailRequestPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"processing"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"skipped"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"line"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"lineIds"}}]}}]}}]} as unknown as DocumentNode<ResendPasswordNoticeMutation, ResendPasswordNoticeMutationVariables>;
export const ReceiptLineageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReceiptLineage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"number"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"number"},"value":{"kind":"Variable","name":{"kind":"Name","value":"number"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"retryableItemCount"}},{"kind":"Field","name":{"kind":"Name","value":"resendOf"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}}]}},{"kind":"Field","name":{"kind":"Name","value":"resends"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ReceiptLineageQuery, ReceiptLineageQueryVariables>;
export const RetryFailedItemsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RetryFailedItems"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RetryFailedItemsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryFailedItems"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"receipt"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"lineIds"}}]}}]}}]}}]} as unknown as DocumentNode<RetryFailedItemsMutation, RetryFailedItemsMutationVariables>;
export const SettledItemsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SettledItems"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"number"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"number"},"value":{"kind":"Variable","name":{"kind":"Name","value":"number"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"200"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"completedAt"}},{"kind":"Field","name":{"kind":"Name","value":"waitingFor"}},{"kind":"Field","name":{"kind":"Name","value":"retryAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<SettledItemsQuery, SettledItemsQueryVariables>;
export const MailLinesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MailLines"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"offset"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"LineFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"LineOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lines"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}},{"kind":"Argument","name":{"kind":"Name","value":"offset"},"value":{"kind":"Variable","name":{"kind":"Name","value":"offset"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"nameKana"}},{"kind":"Field","name":{"kind":"Name","value":"affiliation"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"contractStatus"}},{"kind":"Field","name":{"kind":"Name","value":"deviceKind"}},{"kind":"Field","name":{"kind":"Name","value":"lastAppDownloadMailAt"}},{"kind":"Field","name":{"kind":"Name","value":"group"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<MailLinesQuery, MailLinesQueryVariables>;
export const InquirePasswordsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"InquirePasswords"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"InquirePasswordsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inquirePasswords"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"passwords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"password"}},{"kind":"Field","name":{"kind":"Name","value":"line"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<InquirePasswordsMutation, InquirePasswordsMutationVariables>;
export const PreselectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Preselection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"number"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"number"},"value":{"kind":"Variable","name":{"kind":"Name","value":"number"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"200"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"backup"}},{"kind":"Field","name":{"kind":"Name","value":"phonebookMigration"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"groupName"}},{"kind":"Field","name":{"kind":"Name","value":"line"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<PreselectionQuery, PreselectionQueryVariables>;
export const ReceiptItemsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReceiptItems"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"number"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ReceiptItemFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"number"},"value":{"kind":"Variable","name":{"kind":"Name","value":"number"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"groupName"}},{"kind":"Field","name":{"kind":"Name","value":"backup"}},{"kind":"Field","name":{"kind":"Name","value":"phonebookMigration"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"completedAt"}},{"kind":"Field","name":{"kind":"Name","value":"waitingFor"}},{"kind":"Field","name":{"kind":"Name","value":"retryAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"Field","name":{"kind":"Name","value":"line"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ReceiptItemsQuery, ReceiptItemsQueryVariables>;
export const PreviewPermissionChangeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PreviewPermissionChange"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PermissionChangeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"previewPermissionChange"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"previewToken"}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"lineIds"}}]}},{"kind":"Field","name":{"kind":"Name","value":"warnings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"lineIds"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"backup"}},{"kind":"Field","name":{"kind":"Name","value":"phonebookMigration"}},{"kind":"Field","name":{"kind":"Name","value":"sharedPhonebookWarning"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"line"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"backup"}},{"kind":"Field","name":{"kind":"Name","value":"phonebookMigration"}},{"kind":"Field","name":{"kind":"Name","value":"group"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<PreviewPermissionChangeMutation, PreviewPermissionChangeMutationVariables>;
export const SendAppDownloadMailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SendAppDownloadMail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendMailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendAppDownloadMail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MailRequestFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MailRequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MailRequestPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"processing"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"skipped"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"line"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"lineIds"}}]}}]}}]} as unknown as DocumentNode<SendAppDownloadMailMutation, SendAppDownloadMailMutationVariables>;
export const AuditEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEventFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"lineCount"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"loginId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}}]}},{"kind":"Field","name":{"kind":"Name","value":"receipt"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<AuditEventsQuery, AuditEventsQueryVariables>;
export const AuditActorsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditActors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditActors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"loginId"}}]}}]}}]} as unknown as DocumentNode<AuditActorsQuery, AuditActorsQueryVariables>;
export const ReceiptsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Receipts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ReceiptFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"receivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"completedAt"}},{"kind":"Field","name":{"kind":"Name","value":"admin"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"loginId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"processing"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ReceiptsQuery, ReceiptsQueryVariables>;
export const ReceiptHeaderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReceiptHeader"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"number"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"number"},"value":{"kind":"Variable","name":{"kind":"Name","value":"number"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"receivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"completedAt"}},{"kind":"Field","name":{"kind":"Name","value":"waitingFor"}},{"kind":"Field","name":{"kind":"Name","value":"retryAt"}},{"kind":"Field","name":{"kind":"Name","value":"admin"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"loginId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"processing"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}}]}}]} as unknown as DocumentNode<ReceiptHeaderQuery, ReceiptHeaderQueryVariables>;
export const DoneReceiptDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DoneReceipt"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"number"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"number"},"value":{"kind":"Variable","name":{"kind":"Name","value":"number"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"processing"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}}]}}]} as unknown as DocumentNode<DoneReceiptQuery, DoneReceiptQueryVariables>;
export const SendPasswordNoticeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SendPasswordNotice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendMailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendPasswordNotice"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MailRequestFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MailRequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MailRequestPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"processing"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"skipped"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"line"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"lineIds"}}]}}]}}]} as unknown as DocumentNode<SendPasswordNoticeMutation, SendPasswordNoticeMutationVariables>;
export const SubmitPermissionChangeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SubmitPermissionChange"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PermissionChangeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"submitPermissionChange"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"processing"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"lineIds"}}]}}]}}]}}]} as unknown as DocumentNode<SubmitPermissionChangeMutation, SubmitPermissionChangeMutationVariables>;
export const PermissionDoneDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PermissionDone"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"number"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"receipt"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"number"},"value":{"kind":"Variable","name":{"kind":"Name","value":"number"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"processing"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}}]}}]} as unknown as DocumentNode<PermissionDoneQuery, PermissionDoneQueryVariables>;
export const PermissionGroupsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PermissionGroups"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"groups"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"memberCount"}},{"kind":"Field","name":{"kind":"Name","value":"selectable"}}]}}]}}]}}]}}]} as unknown as DocumentNode<PermissionGroupsQuery, PermissionGroupsQueryVariables>;
export const PermissionLinesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PermissionLines"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"offset"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"LineFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"LineOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lines"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}},{"kind":"Argument","name":{"kind":"Name","value":"offset"},"value":{"kind":"Variable","name":{"kind":"Name","value":"offset"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phoneNumber"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"contractStatus"}},{"kind":"Field","name":{"kind":"Name","value":"deviceKind"}},{"kind":"Field","name":{"kind":"Name","value":"backup"}},{"kind":"Field","name":{"kind":"Name","value":"phonebookMigration"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"group"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<PermissionLinesQuery, PermissionLinesQueryVariables>;
export const LineStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LineStatus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lineStatusChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"backup"}},{"kind":"Field","name":{"kind":"Name","value":"phonebookMigration"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<LineStatusSubscription, LineStatusSubscriptionVariables>;
export const AcceptanceWindowDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AcceptanceWindow"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acceptanceWindow"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"open"}},{"kind":"Field","name":{"kind":"Name","value":"opensAt"}},{"kind":"Field","name":{"kind":"Name","value":"closesAt"}}]}}]}}]} as unknown as DocumentNode<AcceptanceWindowQuery, AcceptanceWindowQueryVariables>;
export const WebhookEndpointsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WebhookEndpoints"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"webhookEndpoints"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"200"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"eventTypes"}},{"kind":"Field","name":{"kind":"Name","value":"disabledAt"}},{"kind":"Field","name":{"kind":"Name","value":"disabledReason"}},{"kind":"Field","name":{"kind":"Name","value":"failingSince"}},{"kind":"Field","name":{"kind":"Name","value":"lastSuccessAt"}},{"kind":"Field","name":{"kind":"Name","value":"group"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<WebhookEndpointsQuery, WebhookEndpointsQueryVariables>;
export const LoginDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Login"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"loginId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"password"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"loginId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"loginId"}}},{"kind":"Argument","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"password"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<LoginMutation, LoginMutationVariables>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"sessionIdleTimeoutSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"administrator"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"loginId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;