// The bound of every argument, by schema coordinate: how many characters a
// text (String, ID) holds, how many items a list holds, the range of an Int.
// Checked for the whole operation before anything runs (input-hygiene.ts),
// over every transport, so no input makes the server work in proportion to
// its size. The README's "Input bounds" table lists the same numbers.
import { MAX_LINES_OFFSET } from "../domain/paging.ts";
import { MAX_SEARCH_LENGTH } from "../domain/search.ts";
import { MAX_SELECTION_ROWS } from "../services/line-selection.ts";
import { MAX_PREVIEW_TOKEN_LENGTH } from "../services/preview-token.ts";
import { MAX_BATCH_EVENTS } from "../services/progress-batches.ts";

/** Text arguments hold at most this many characters unless listed in `textBounds`. */
export const DEFAULT_TEXT_BOUND = 1_024;
/** List arguments hold at most this many items unless listed in `listBounds`. */
export const DEFAULT_LIST_BOUND = 200;
/** Int arguments lie in this range unless listed in `intBounds` (none of the contract's counts is negative). */
export const DEFAULT_INT_RANGE: readonly [number, number] = [0, 2 ** 31 - 1];

export const textBounds: Readonly<Record<string, number>> = {
  "LineFilter.search": MAX_SEARCH_LENGTH,
  // 受付番号 are 16 digits; the filter matches a prefix.
  "ReceiptFilter.number": 32,
  // A phone number or part of it, with or without hyphens.
  "ReceiptItemFilter.phoneNumber": 32,
  "Query.receipt(number:)": 32,
  // Phone numbers are 11 digits, written with or without hyphens.
  "Query.line(phoneNumber:)": 32,
  "Query.featureAccess(phoneNumber:)": 32,
  "ResolveLineSelectionInput.phoneNumbers": 32,
  "LineSelectionRowInput.phoneNumber": 32,
  "Mutation.login(loginId:)": 200,
  "Mutation.login(password:)": 1_000,
  "CreateApiTokenInput.name": 200,
  // A change-feed cursor is a few dozen characters (services/change-feed.ts).
  "Query.lineChanges(after:)": 64,
  "AuditEventFilter.phoneNumber": 32,
  // Past 16,384 characters R18 itself answers INVALID_PREVIEW_TOKEN (a userError), up to twice that.
  "PermissionChangeInput.previewToken": 2 * MAX_PREVIEW_TOKEN_LENGTH,
};

export const listBounds: Readonly<Record<string, number>> = {
  // Selections: past 200 the rules themselves answer with R3's text
  // (選択できるユーザは200件までです。), so they may carry a little more.
  "PermissionChangeInput.lines": 1_000,
  "PermissionChangeInput.groups": 1_000,
  "SendMailInput.lineIds": 1_000,
  "InquirePasswordsInput.lineIds": 1_000,
  // 選択中のみ表示: a selection holds at most 200 lines (R3).
  "LineFilter.ids": 200,
  "LineFilter.deviceKinds": 5,
  // 「CSVで選択」: 1,000 rows per call (MAX_SELECTION_ROWS); R3's 200 is reported per row.
  "ResolveLineSelectionInput.phoneNumbers": MAX_SELECTION_ROWS,
  "ResolveLineSelectionInput.rows": MAX_SELECTION_ROWS,
  // Webhooks: one of each event type at most.
  "CreateWebhookEndpointInput.eventTypes": 6,
  "UpdateWebhookEndpointInput.eventTypes": 6,
};

export const intBounds: Readonly<Record<string, readonly [number, number]>> = {
  "Subscription.receiptProgressBatch(maxEvents:)": [1, MAX_BATCH_EVENTS],
  // Skipped rows are read: past this, page from a nearer cursor (README, "Paging").
  "Query.lines(offset:)": [0, MAX_LINES_OFFSET],
};

export const textBound = (coordinate: string) => textBounds[coordinate] ?? DEFAULT_TEXT_BOUND;
export const listBound = (coordinate: string) => listBounds[coordinate] ?? DEFAULT_LIST_BOUND;
export const intRange = (coordinate: string) => intBounds[coordinate] ?? DEFAULT_INT_RANGE;
