// A receipt's items, page by page (履歴詳細). Items update live while the
// receipt is processing: receiptProgressBatch batches carry them (LiveProgress).
import { useState } from "react";
import type { ReceiptItemFilter } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { usePagedConnection } from "./usePagedConnection.ts";

const ReceiptItemsQuery = graphql(`
  query ReceiptItems(
    $number: String!, $first: Int, $after: String, $last: Int, $before: String, $filter: ReceiptItemFilter
  ) {
    receipt(number: $number) {
      id
      items(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
        totalCount
        pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
        edges {
          cursor
          node {
            id phoneNumber name groupName backup phonebookMigration status completedAt waitingFor retryAt
            error { code message }
            line { id }
          }
        }
      }
    }
  }
`);

export function useReceiptItems(number: string) {
  const [pageSize, setPageSize] = useState(20);
  // 履歴詳細's 指定なし/検索/クリア: by status and phone number (ItemFilters).
  const [filter, setFilter] = useState<ReceiptItemFilter>({});
  const items = usePagedConnection({
    query: ReceiptItemsQuery,
    variables: { number, filter },
    pageSize,
    connection: (data) => data.receipt?.items,
  });
  return {
    ...items,
    pageSize,
    setPageSize,
    filter,
    setFilter,
    /** No.: the position in the whole receipt of the row at `index` of the page shown. */
    rowNumber: (index: number) => items.page * pageSize + index + 1,
  };
}
