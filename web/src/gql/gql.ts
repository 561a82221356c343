/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query CsvLineSelection($input: ResolveLineSelectionInput!) {\n    resolveLineSelection(input: $input) {\n      rows {\n        index status message backup phonebookMigration\n        line { id phoneNumber name backup phonebookMigration group { id name } }\n      }\n    }\n  }\n": typeof types.CsvLineSelectionDocument,
    "\n  mutation Logout {\n    logout\n  }\n": typeof types.LogoutDocument,
    "\n  query GroupOptions {\n    groups(first: 100) {\n      edges { node { id name } }\n      pageInfo { hasNextPage endCursor startCursor hasPreviousPage }\n    }\n  }\n": typeof types.GroupOptionsDocument,
    "\n  subscription ReceiptProgressLive($receiptId: ID!, $afterSeq: Int) {\n    receiptProgressBatch(receiptId: $receiptId, afterSeq: $afterSeq) {\n      lastSeq\n      receipt { id status completedAt waitingFor retryAt progress { total pending processing succeeded failed } }\n      events {\n        seq\n        snapshot\n        status\n        item { id status completedAt waitingFor retryAt error { code message } }\n      }\n    }\n  }\n": typeof types.ReceiptProgressLiveDocument,
    "\n  mutation RefreshLines {\n    refreshLines {\n      added\n      updated\n      addedLines { id phoneNumber name group { id name } }\n      userErrors { code message }\n    }\n  }\n": typeof types.RefreshLinesDocument,
    "\n  query WebhookNotices {\n    webhookNotices { id message createdAt endpoint { id } }\n  }\n": typeof types.WebhookNoticesDocument,
    "\n  mutation ResendAppDownloadMail($input: ResendMailInput!) {\n    resendAppDownloadMail(input: $input) { ...MailRequestFields }\n  }\n": typeof types.ResendAppDownloadMailDocument,
    "\n  mutation ResendPasswordNotice($input: ResendMailInput!) {\n    resendPasswordNotice(input: $input) { ...MailRequestFields }\n  }\n": typeof types.ResendPasswordNoticeDocument,
    "\n  query ReceiptLineage($number: String!) {\n    receipt(number: $number) {\n      id\n      retryableItemCount\n      resendOf { id number }\n      resends(first: 20) { totalCount edges { node { id number status } } }\n    }\n  }\n": typeof types.ReceiptLineageDocument,
    "\n  mutation RetryFailedItems($input: RetryFailedItemsInput!) {\n    retryFailedItems(input: $input) {\n      replayed\n      receipt { id number status }\n      userErrors { code message field lineIds }\n    }\n  }\n": typeof types.RetryFailedItemsDocument,
    "\n  query SettledItems($number: String!) {\n    receipt(number: $number) {\n      id\n      items(first: 200) { edges { node { id status completedAt waitingFor retryAt error { code message } } } }\n    }\n  }\n": typeof types.SettledItemsDocument,
    "\n  query MailLines(\n    $first: Int, $after: String, $last: Int, $before: String, $offset: Int, $filter: LineFilter, $orderBy: LineOrder\n  ) {\n    lines(first: $first, after: $after, last: $last, before: $before, offset: $offset, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id phoneNumber name nameKana affiliation status contractStatus deviceKind lastAppDownloadMailAt\n          group { id name }\n        }\n      }\n    }\n  }\n": typeof types.MailLinesDocument,
    "\n  fragment MailRequestFields on MailRequestPayload {\n    receipt { id number status progress { total pending processing succeeded failed } }\n    skipped { code reason line { id phoneNumber name } }\n    userErrors { code message lineIds }\n  }\n": typeof types.MailRequestFieldsFragmentDoc,
    "\n  mutation InquirePasswords($input: InquirePasswordsInput!) {\n    inquirePasswords(input: $input) {\n      passwords { password line { id } }\n      userErrors { code message }\n    }\n  }\n": typeof types.InquirePasswordsDocument,
    "\n  query Preselection($number: String!) {\n    receipt(number: $number) {\n      id kind\n      items(first: 200) {\n        edges { node { id backup phonebookMigration phoneNumber name groupName line { id } } }\n      }\n    }\n  }\n": typeof types.PreselectionDocument,
    "\n  query ReceiptItems(\n    $number: String!, $first: Int, $after: String, $last: Int, $before: String, $filter: ReceiptItemFilter\n  ) {\n    receipt(number: $number) {\n      id\n      items(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n        totalCount\n        pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n        edges {\n          cursor\n          node {\n            id phoneNumber name groupName backup phonebookMigration status completedAt waitingFor retryAt\n            error { code message }\n            line { id }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ReceiptItemsDocument,
    "\n  mutation PreviewPermissionChange($input: PermissionChangeInput!) {\n    previewPermissionChange(input: $input) {\n      totalCount\n      previewToken\n      userErrors { code message lineIds }\n      warnings { code message lineIds }\n      lines {\n        backup phonebookMigration sharedPhonebookWarning version\n        line { id phoneNumber name backup phonebookMigration group { id name } }\n      }\n    }\n  }\n": typeof types.PreviewPermissionChangeDocument,
    "\n  mutation SendAppDownloadMail($input: SendMailInput!) {\n    sendAppDownloadMail(input: $input) { ...MailRequestFields }\n  }\n": typeof types.SendAppDownloadMailDocument,
    "\n  query AuditEvents($first: Int, $after: String, $last: Int, $before: String, $filter: AuditEventFilter) {\n    auditEvents(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id action at ipAddress lineCount\n          actor { kind id name loginId }\n          lines { id phoneNumber }\n          receipt { id number }\n        }\n      }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  query AuditActors {\n    auditActors { kind id name loginId }\n  }\n": typeof types.AuditActorsDocument,
    "\n  query Receipts($first: Int, $after: String, $last: Int, $before: String, $filter: ReceiptFilter) {\n    receipts(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id number kind status receivedAt completedAt\n          admin { name loginId }\n          progress { total pending processing succeeded failed }\n        }\n      }\n    }\n  }\n": typeof types.ReceiptsDocument,
    "\n  query ReceiptHeader($number: String!) {\n    receipt(number: $number) {\n      id number kind status receivedAt completedAt waitingFor retryAt\n      admin { name loginId }\n      progress { total pending processing succeeded failed }\n    }\n  }\n": typeof types.ReceiptHeaderDocument,
    "\n  query DoneReceipt($number: String!) {\n    receipt(number: $number) {\n      id number kind status\n      progress { total pending processing succeeded failed }\n    }\n  }\n": typeof types.DoneReceiptDocument,
    "\n  mutation SendPasswordNotice($input: SendMailInput!) {\n    sendPasswordNotice(input: $input) { ...MailRequestFields }\n  }\n": typeof types.SendPasswordNoticeDocument,
    "\n  mutation SubmitPermissionChange($input: PermissionChangeInput!) {\n    submitPermissionChange(input: $input) {\n      receipt { id number status progress { total pending processing succeeded failed } }\n      userErrors { code message lineIds }\n    }\n  }\n": typeof types.SubmitPermissionChangeDocument,
    "\n  query PermissionDone($number: String!) {\n    receipt(number: $number) {\n      id number kind status\n      progress { total pending processing succeeded failed }\n    }\n  }\n": typeof types.PermissionDoneDocument,
    "\n  query PermissionGroups($first: Int, $after: String, $last: Int, $before: String) {\n    groups(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges { cursor node { id name memberCount selectable } }\n    }\n  }\n": typeof types.PermissionGroupsDocument,
    "\n  query PermissionLines(\n    $first: Int, $after: String, $last: Int, $before: String, $offset: Int, $filter: LineFilter, $orderBy: LineOrder\n  ) {\n    lines(first: $first, after: $after, last: $last, before: $before, offset: $offset, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id phoneNumber name status contractStatus deviceKind backup phonebookMigration version\n          group { id name }\n        }\n      }\n    }\n  }\n": typeof types.PermissionLinesDocument,
    "\n  subscription LineStatus {\n    lineStatusChanged { id status backup phonebookMigration version }\n  }\n": typeof types.LineStatusDocument,
    "\n  query AcceptanceWindow {\n    acceptanceWindow { open opensAt closesAt }\n  }\n": typeof types.AcceptanceWindowDocument,
    "\n  query WebhookEndpoints {\n    webhookEndpoints(first: 200) {\n      edges {\n        node {\n          id url eventTypes disabledAt disabledReason failingSince lastSuccessAt\n          group { id name }\n        }\n      }\n    }\n  }\n": typeof types.WebhookEndpointsDocument,
    "\n  mutation Login($loginId: String!, $password: String!) {\n    login(loginId: $loginId, password: $password) {\n      token\n      userErrors { code message }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  query Viewer {\n    viewer {\n      kind\n      scopes\n      sessionIdleTimeoutSeconds\n      account { id name }\n      administrator { id name loginId role }\n    }\n  }\n": typeof types.ViewerDocument,
};
const documents: Documents = {
    "\n  query CsvLineSelection($input: ResolveLineSelectionInput!) {\n    resolveLineSelection(input: $input) {\n      rows {\n        index status message backup phonebookMigration\n        line { id phoneNumber name backup phonebookMigration group { id name } }\n      }\n    }\n  }\n": types.CsvLineSelectionDocument,
    "\n  mutation Logout {\n    logout\n  }\n": types.LogoutDocument,
    "\n  query GroupOptions {\n    groups(first: 100) {\n      edges { node { id name } }\n      pageInfo { hasNextPage endCursor startCursor hasPreviousPage }\n    }\n  }\n": types.GroupOptionsDocument,
    "\n  subscription ReceiptProgressLive($receiptId: ID!, $afterSeq: Int) {\n    receiptProgressBatch(receiptId: $receiptId, afterSeq: $afterSeq) {\n      lastSeq\n      receipt { id status completedAt waitingFor retryAt progress { total pending processing succeeded failed } }\n      events {\n        seq\n        snapshot\n        status\n        item { id status completedAt waitingFor retryAt error { code message } }\n      }\n    }\n  }\n": types.ReceiptProgressLiveDocument,
    "\n  mutation RefreshLines {\n    refreshLines {\n      added\n      updated\n      addedLines { id phoneNumber name group { id name } }\n      userErrors { code message }\n    }\n  }\n": types.RefreshLinesDocument,
    "\n  query WebhookNotices {\n    webhookNotices { id message createdAt endpoint { id } }\n  }\n": types.WebhookNoticesDocument,
    "\n  mutation ResendAppDownloadMail($input: ResendMailInput!) {\n    resendAppDownloadMail(input: $input) { ...MailRequestFields }\n  }\n": types.ResendAppDownloadMailDocument,
    "\n  mutation ResendPasswordNotice($input: ResendMailInput!) {\n    resendPasswordNotice(input: $input) { ...MailRequestFields }\n  }\n": types.ResendPasswordNoticeDocument,
    "\n  query ReceiptLineage($number: String!) {\n    receipt(number: $number) {\n      id\n      retryableItemCount\n      resendOf { id number }\n      resends(first: 20) { totalCount edges { node { id number status } } }\n    }\n  }\n": types.ReceiptLineageDocument,
    "\n  mutation RetryFailedItems($input: RetryFailedItemsInput!) {\n    retryFailedItems(input: $input) {\n      replayed\n      receipt { id number status }\n      userErrors { code message field lineIds }\n    }\n  }\n": types.RetryFailedItemsDocument,
    "\n  query SettledItems($number: String!) {\n    receipt(number: $number) {\n      id\n      items(first: 200) { edges { node { id status completedAt waitingFor retryAt error { code message } } } }\n    }\n  }\n": types.SettledItemsDocument,
    "\n  query MailLines(\n    $first: Int, $after: String, $last: Int, $before: String, $offset: Int, $filter: LineFilter, $orderBy: LineOrder\n  ) {\n    lines(first: $first, after: $after, last: $last, before: $before, offset: $offset, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id phoneNumber name nameKana affiliation status contractStatus deviceKind lastAppDownloadMailAt\n          group { id name }\n        }\n      }\n    }\n  }\n": types.MailLinesDocument,
    "\n  fragment MailRequestFields on MailRequestPayload {\n    receipt { id number status progress { total pending processing succeeded failed } }\n    skipped { code reason line { id phoneNumber name } }\n    userErrors { code message lineIds }\n  }\n": types.MailRequestFieldsFragmentDoc,
    "\n  mutation InquirePasswords($input: InquirePasswordsInput!) {\n    inquirePasswords(input: $input) {\n      passwords { password line { id } }\n      userErrors { code message }\n    }\n  }\n": types.InquirePasswordsDocument,
    "\n  query Preselection($number: String!) {\n    receipt(number: $number) {\n      id kind\n      items(first: 200) {\n        edges { node { id backup phonebookMigration phoneNumber name groupName line { id } } }\n      }\n    }\n  }\n": types.PreselectionDocument,
    "\n  query ReceiptItems(\n    $number: String!, $first: Int, $after: String, $last: Int, $before: String, $filter: ReceiptItemFilter\n  ) {\n    receipt(number: $number) {\n      id\n      items(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n        totalCount\n        pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n        edges {\n          cursor\n          node {\n            id phoneNumber name groupName backup phonebookMigration status completedAt waitingFor retryAt\n            error { code message }\n            line { id }\n          }\n        }\n      }\n    }\n  }\n": types.ReceiptItemsDocument,
    "\n  mutation PreviewPermissionChange($input: PermissionChangeInput!) {\n    previewPermissionChange(input: $input) {\n      totalCount\n      previewToken\n      userErrors { code message lineIds }\n      warnings { code message lineIds }\n      lines {\n        backup phonebookMigration sharedPhonebookWarning version\n        line { id phoneNumber name backup phonebookMigration group { id name } }\n      }\n    }\n  }\n": types.PreviewPermissionChangeDocument,
    "\n  mutation SendAppDownloadMail($input: SendMailInput!) {\n    sendAppDownloadMail(input: $input) { ...MailRequestFields }\n  }\n": types.SendAppDownloadMailDocument,
    "\n  query AuditEvents($first: Int, $after: String, $last: Int, $before: String, $filter: AuditEventFilter) {\n    auditEvents(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id action at ipAddress lineCount\n          actor { kind id name loginId }\n          lines { id phoneNumber }\n          receipt { id number }\n        }\n      }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  query AuditActors {\n    auditActors { kind id name loginId }\n  }\n": types.AuditActorsDocument,
    "\n  query Receipts($first: Int, $after: String, $last: Int, $before: String, $filter: ReceiptFilter) {\n    receipts(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id number kind status receivedAt completedAt\n          admin { name loginId }\n          progress { total pending processing succeeded failed }\n        }\n      }\n    }\n  }\n": types.ReceiptsDocument,
    "\n  query ReceiptHeader($number: String!) {\n    receipt(number: $number) {\n      id number kind status receivedAt completedAt waitingFor retryAt\n      admin { name loginId }\n      progress { total pending processing succeeded failed }\n    }\n  }\n": types.ReceiptHeaderDocument,
    "\n  query DoneReceipt($number: String!) {\n    receipt(number: $number) {\n      id number kind status\n      progress { total pending processing succeeded failed }\n    }\n  }\n": types.DoneReceiptDocument,
    "\n  mutation SendPasswordNotice($input: SendMailInput!) {\n    sendPasswordNotice(input: $input) { ...MailRequestFields }\n  }\n": types.SendPasswordNoticeDocument,
    "\n  mutation SubmitPermissionChange($input: PermissionChangeInput!) {\n    submitPermissionChange(input: $input) {\n      receipt { id number status progress { total pending processing succeeded failed } }\n      userErrors { code message lineIds }\n    }\n  }\n": types.SubmitPermissionChangeDocument,
    "\n  query PermissionDone($number: String!) {\n    receipt(number: $number) {\n      id number kind status\n      progress { total pending processing succeeded failed }\n    }\n  }\n": types.PermissionDoneDocument,
    "\n  query PermissionGroups($first: Int, $after: String, $last: Int, $before: String) {\n    groups(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges { cursor node { id name memberCount selectable } }\n    }\n  }\n": types.PermissionGroupsDocument,
    "\n  query PermissionLines(\n    $first: Int, $after: String, $last: Int, $before: String, $offset: Int, $filter: LineFilter, $orderBy: LineOrder\n  ) {\n    lines(first: $first, after: $after, last: $last, before: $before, offset: $offset, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id phoneNumber name status contractStatus deviceKind backup phonebookMigration version\n          group { id name }\n        }\n      }\n    }\n  }\n": types.PermissionLinesDocument,
    "\n  subscription LineStatus {\n    lineStatusChanged { id status backup phonebookMigration version }\n  }\n": types.LineStatusDocument,
    "\n  query AcceptanceWindow {\n    acceptanceWindow { open opensAt closesAt }\n  }\n": types.AcceptanceWindowDocument,
    "\n  query WebhookEndpoints {\n    webhookEndpoints(first: 200) {\n      edges {\n        node {\n          id url eventTypes disabledAt disabledReason failingSince lastSuccessAt\n          group { id name }\n        }\n      }\n    }\n  }\n": types.WebhookEndpointsDocument,
    "\n  mutation Login($loginId: String!, $password: String!) {\n    login(loginId: $loginId, password: $password) {\n      token\n      userErrors { code message }\n    }\n  }\n": types.LoginDocument,
    "\n  query Viewer {\n    viewer {\n      kind\n      scopes\n      sessionIdleTimeoutSeconds\n      account { id name }\n      administrator { id name loginId role }\n    }\n  }\n": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CsvLineSelection($input: ResolveLineSelectionInput!) {\n    resolveLineSelection(input: $input) {\n      rows {\n        index status message backup phonebookMigration\n        line { id phoneNumber name backup phonebookMigration group { id name } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CsvLineSelection($input: ResolveLineSelectionInput!) {\n    resolveLineSelection(input: $input) {\n      rows {\n        index status message backup phonebookMigration\n        line { id phoneNumber name backup phonebookMigration group { id name } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GroupOptions {\n    groups(first: 100) {\n      edges { node { id name } }\n      pageInfo { hasNextPage endCursor startCursor hasPreviousPage }\n    }\n  }\n"): (typeof documents)["\n  query GroupOptions {\n    groups(first: 100) {\n      edges { node { id name } }\n      pageInfo { hasNextPage endCursor startCursor hasPreviousPage }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ReceiptProgressLive($receiptId: ID!, $afterSeq: Int) {\n    receiptProgressBatch(receiptId: $receiptId, afterSeq: $afterSeq) {\n      lastSeq\n      receipt { id status completedAt waitingFor retryAt progress { total pending processing succeeded failed } }\n      events {\n        seq\n        snapshot\n        status\n        item { id status completedAt waitingFor retryAt error { code message } }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ReceiptProgressLive($receiptId: ID!, $afterSeq: Int) {\n    receiptProgressBatch(receiptId: $receiptId, afterSeq: $afterSeq) {\n      lastSeq\n      receipt { id status completedAt waitingFor retryAt progress { total pending processing succeeded failed } }\n      events {\n        seq\n        snapshot\n        status\n        item { id status completedAt waitingFor retryAt error { code message } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshLines {\n    refreshLines {\n      added\n      updated\n      addedLines { id phoneNumber name group { id name } }\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshLines {\n    refreshLines {\n      added\n      updated\n      addedLines { id phoneNumber name group { id name } }\n      userErrors { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookNotices {\n    webhookNotices { id message createdAt endpoint { id } }\n  }\n"): (typeof documents)["\n  query WebhookNotices {\n    webhookNotices { id message createdAt endpoint { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResendAppDownloadMail($input: ResendMailInput!) {\n    resendAppDownloadMail(input: $input) { ...MailRequestFields }\n  }\n"): (typeof documents)["\n  mutation ResendAppDownloadMail($input: ResendMailInput!) {\n    resendAppDownloadMail(input: $input) { ...MailRequestFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResendPasswordNotice($input: ResendMailInput!) {\n    resendPasswordNotice(input: $input) { ...MailRequestFields }\n  }\n"): (typeof documents)["\n  mutation ResendPasswordNotice($input: ResendMailInput!) {\n    resendPasswordNotice(input: $input) { ...MailRequestFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReceiptLineage($number: String!) {\n    receipt(number: $number) {\n      id\n      retryableItemCount\n      resendOf { id number }\n      resends(first: 20) { totalCount edges { node { id number status } } }\n    }\n  }\n"): (typeof documents)["\n  query ReceiptLineage($number: String!) {\n    receipt(number: $number) {\n      id\n      retryableItemCount\n      resendOf { id number }\n      resends(first: 20) { totalCount edges { node { id number status } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryFailedItems($input: RetryFailedItemsInput!) {\n    retryFailedItems(input: $input) {\n      replayed\n      receipt { id number status }\n      userErrors { code message field lineIds }\n    }\n  }\n"): (typeof documents)["\n  mutation RetryFailedItems($input: RetryFailedItemsInput!) {\n    retryFailedItems(input: $input) {\n      replayed\n      receipt { id number status }\n      userErrors { code message field lineIds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SettledItems($number: String!) {\n    receipt(number: $number) {\n      id\n      items(first: 200) { edges { node { id status completedAt waitingFor retryAt error { code message } } } }\n    }\n  }\n"): (typeof documents)["\n  query SettledItems($number: String!) {\n    receipt(number: $number) {\n      id\n      items(first: 200) { edges { node { id status completedAt waitingFor retryAt error { code message } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MailLines(\n    $first: Int, $after: String, $last: Int, $before: String, $offset: Int, $filter: LineFilter, $orderBy: LineOrder\n  ) {\n    lines(first: $first, after: $after, last: $last, before: $before, offset: $offset, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id phoneNumber name nameKana affiliation status contractStatus deviceKind lastAppDownloadMailAt\n          group { id name }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MailLines(\n    $first: Int, $after: String, $last: Int, $before: String, $offset: Int, $filter: LineFilter, $orderBy: LineOrder\n  ) {\n    lines(first: $first, after: $after, last: $last, before: $before, offset: $offset, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id phoneNumber name nameKana affiliation status contractStatus deviceKind lastAppDownloadMailAt\n          group { id name }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MailRequestFields on MailRequestPayload {\n    receipt { id number status progress { total pending processing succeeded failed } }\n    skipped { code reason line { id phoneNumber name } }\n    userErrors { code message lineIds }\n  }\n"): (typeof documents)["\n  fragment MailRequestFields on MailRequestPayload {\n    receipt { id number status progress { total pending processing succeeded failed } }\n    skipped { code reason line { id phoneNumber name } }\n    userErrors { code message lineIds }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InquirePasswords($input: InquirePasswordsInput!) {\n    inquirePasswords(input: $input) {\n      passwords { password line { id } }\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation InquirePasswords($input: InquirePasswordsInput!) {\n    inquirePasswords(input: $input) {\n      passwords { password line { id } }\n      userErrors { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Preselection($number: String!) {\n    receipt(number: $number) {\n      id kind\n      items(first: 200) {\n        edges { node { id backup phonebookMigration phoneNumber name groupName line { id } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Preselection($number: String!) {\n    receipt(number: $number) {\n      id kind\n      items(first: 200) {\n        edges { node { id backup phonebookMigration phoneNumber name groupName line { id } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReceiptItems(\n    $number: String!, $first: Int, $after: String, $last: Int, $before: String, $filter: ReceiptItemFilter\n  ) {\n    receipt(number: $number) {\n      id\n      items(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n        totalCount\n        pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n        edges {\n          cursor\n          node {\n            id phoneNumber name groupName backup phonebookMigration status completedAt waitingFor retryAt\n            error { code message }\n            line { id }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ReceiptItems(\n    $number: String!, $first: Int, $after: String, $last: Int, $before: String, $filter: ReceiptItemFilter\n  ) {\n    receipt(number: $number) {\n      id\n      items(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n        totalCount\n        pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n        edges {\n          cursor\n          node {\n            id phoneNumber name groupName backup phonebookMigration status completedAt waitingFor retryAt\n            error { code message }\n            line { id }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PreviewPermissionChange($input: PermissionChangeInput!) {\n    previewPermissionChange(input: $input) {\n      totalCount\n      previewToken\n      userErrors { code message lineIds }\n      warnings { code message lineIds }\n      lines {\n        backup phonebookMigration sharedPhonebookWarning version\n        line { id phoneNumber name backup phonebookMigration group { id name } }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PreviewPermissionChange($input: PermissionChangeInput!) {\n    previewPermissionChange(input: $input) {\n      totalCount\n      previewToken\n      userErrors { code message lineIds }\n      warnings { code message lineIds }\n      lines {\n        backup phonebookMigration sharedPhonebookWarning version\n        line { id phoneNumber name backup phonebookMigration group { id name } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendAppDownloadMail($input: SendMailInput!) {\n    sendAppDownloadMail(input: $input) { ...MailRequestFields }\n  }\n"): (typeof documents)["\n  mutation SendAppDownloadMail($input: SendMailInput!) {\n    sendAppDownloadMail(input: $input) { ...MailRequestFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents($first: Int, $after: String, $last: Int, $before: String, $filter: AuditEventFilter) {\n    auditEvents(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id action at ipAddress lineCount\n          actor { kind id name loginId }\n          lines { id phoneNumber }\n          receipt { id number }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditEvents($first: Int, $after: String, $last: Int, $before: String, $filter: AuditEventFilter) {\n    auditEvents(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id action at ipAddress lineCount\n          actor { kind id name loginId }\n          lines { id phoneNumber }\n          receipt { id number }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditActors {\n    auditActors { kind id name loginId }\n  }\n"): (typeof documents)["\n  query AuditActors {\n    auditActors { kind id name loginId }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Receipts($first: Int, $after: String, $last: Int, $before: String, $filter: ReceiptFilter) {\n    receipts(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id number kind status receivedAt completedAt\n          admin { name loginId }\n          progress { total pending processing succeeded failed }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Receipts($first: Int, $after: String, $last: Int, $before: String, $filter: ReceiptFilter) {\n    receipts(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id number kind status receivedAt completedAt\n          admin { name loginId }\n          progress { total pending processing succeeded failed }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReceiptHeader($number: String!) {\n    receipt(number: $number) {\n      id number kind status receivedAt completedAt waitingFor retryAt\n      admin { name loginId }\n      progress { total pending processing succeeded failed }\n    }\n  }\n"): (typeof documents)["\n  query ReceiptHeader($number: String!) {\n    receipt(number: $number) {\n      id number kind status receivedAt completedAt waitingFor retryAt\n      admin { name loginId }\n      progress { total pending processing succeeded failed }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DoneReceipt($number: String!) {\n    receipt(number: $number) {\n      id number kind status\n      progress { total pending processing succeeded failed }\n    }\n  }\n"): (typeof documents)["\n  query DoneReceipt($number: String!) {\n    receipt(number: $number) {\n      id number kind status\n      progress { total pending processing succeeded failed }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendPasswordNotice($input: SendMailInput!) {\n    sendPasswordNotice(input: $input) { ...MailRequestFields }\n  }\n"): (typeof documents)["\n  mutation SendPasswordNotice($input: SendMailInput!) {\n    sendPasswordNotice(input: $input) { ...MailRequestFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubmitPermissionChange($input: PermissionChangeInput!) {\n    submitPermissionChange(input: $input) {\n      receipt { id number status progress { total pending processing succeeded failed } }\n      userErrors { code message lineIds }\n    }\n  }\n"): (typeof documents)["\n  mutation SubmitPermissionChange($input: PermissionChangeInput!) {\n    submitPermissionChange(input: $input) {\n      receipt { id number status progress { total pending processing succeeded failed } }\n      userErrors { code message lineIds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PermissionDone($number: String!) {\n    receipt(number: $number) {\n      id number kind status\n      progress { total pending processing succeeded failed }\n    }\n  }\n"): (typeof documents)["\n  query PermissionDone($number: String!) {\n    receipt(number: $number) {\n      id number kind status\n      progress { total pending processing succeeded failed }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PermissionGroups($first: Int, $after: String, $last: Int, $before: String) {\n    groups(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges { cursor node { id name memberCount selectable } }\n    }\n  }\n"): (typeof documents)["\n  query PermissionGroups($first: Int, $after: String, $last: Int, $before: String) {\n    groups(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges { cursor node { id name memberCount selectable } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PermissionLines(\n    $first: Int, $after: String, $last: Int, $before: String, $offset: Int, $filter: LineFilter, $orderBy: LineOrder\n  ) {\n    lines(first: $first, after: $after, last: $last, before: $before, offset: $offset, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id phoneNumber name status contractStatus deviceKind backup phonebookMigration version\n          group { id name }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PermissionLines(\n    $first: Int, $after: String, $last: Int, $before: String, $offset: Int, $filter: LineFilter, $orderBy: LineOrder\n  ) {\n    lines(first: $first, after: $after, last: $last, before: $before, offset: $offset, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }\n      edges {\n        cursor\n        node {\n          id phoneNumber name status contractStatus deviceKind backup phonebookMigration version\n          group { id name }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LineStatus {\n    lineStatusChanged { id status backup phonebookMigration version }\n  }\n"): (typeof documents)["\n  subscription LineStatus {\n    lineStatusChanged { id status backup phonebookMigration version }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AcceptanceWindow {\n    acceptanceWindow { open opensAt closesAt }\n  }\n"): (typeof documents)["\n  query AcceptanceWindow {\n    acceptanceWindow { open opensAt closesAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookEndpoints {\n    webhookEndpoints(first: 200) {\n      edges {\n        node {\n          id url eventTypes disabledAt disabledReason failingSince lastSuccessAt\n          group { id name }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebhookEndpoints {\n    webhookEndpoints(first: 200) {\n      edges {\n        node {\n          id url eventTypes disabledAt disabledReason failingSince lastSuccessAt\n          group { id name }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($loginId: String!, $password: String!) {\n    login(loginId: $loginId, password: $password) {\n      token\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($loginId: String!, $password: String!) {\n    login(loginId: $loginId, password: $password) {\n      token\n      userErrors { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      kind\n      scopes\n      sessionIdleTimeoutSeconds\n      account { id name }\n      administrator { id name loginId role }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      kind\n      scopes\n      sessionIdleTimeoutSeconds\n      account { id name }\n      administrator { id name loginId role }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;