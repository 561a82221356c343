// A selectable line list (利用可否設定's 回線一覧, アプリダウンロード依頼,
// パスワード照会／通知): a page of lines from the server, the selection kept
// across pages (R3) with what was answered about it, and R16's サービス対象外
// lines, which cannot be chosen.
import { useState } from "react";
import type { AnyVariables, TypedDocumentNode } from "urql";
import { MAX_LINES_OFFSET } from "../../../domain/paging.ts";
import { isOutOfService } from "../../../domain/rules/selection.ts";
import type { SortState } from "../components/ListTable.tsx";
import type { LineFilter, LineOrder, LineOrderField } from "../gql/graphql.ts";
import { type Connection, usePagedConnection } from "./usePagedConnection.ts";
import { useSelection } from "./useSelection.ts";

/** The lines' variables the list sets itself: their order, and the ids of 選択中のみ表示. */
interface ListVariables {
  filter?: LineFilter | null;
  orderBy?: LineOrder | null;
}

/**
 * The variables of the list as shown: sorted as chosen, and while 選択中のみ表示
 * is on, only the lines that were selected when it was turned on (a line
 * deselected there stays in view, unticked, until it is turned off).
 */
export function listVariables<V extends ListVariables>(
  variables: V,
  orderBy: LineOrder | null,
  selectedOnly: readonly string[] | null,
): V {
  return {
    ...variables,
    ...(orderBy ? { orderBy } : {}),
    ...(selectedOnly ? { filter: { ids: [...selectedOnly] } } : {}),
  };
}

/** The next order when a column header is pressed: that column ascending, or the other way round. */
export function nextOrder(current: LineOrder | null, field: LineOrderField): LineOrder {
  const now = current ?? { field: "PHONE_NUMBER", direction: "ASC" };
  return now.field === field
    ? { field, direction: now.direction === "DESC" ? "ASC" : "DESC" }
    : { field, direction: "ASC" };
}

/** aria-sort of a column under the current order (none given: by phone number, ascending). */
export function sortState(current: LineOrder | null, field: LineOrderField): SortState {
  const now = current ?? { field: "PHONE_NUMBER", direction: "ASC" };
  if (now.field !== field) return null;
  return now.direction === "DESC" ? "descending" : "ascending";
}

interface LineRow {
  id: string;
  phoneNumber: string;
  deviceKind: string;
}

export function useSelectableList<
  Data,
  Vars extends AnyVariables & ListVariables,
  Row extends LineRow,
  T extends { id: string },
>(options: {
  query: TypedDocumentNode<Data, Vars>;
  /** Everything except the paging arguments and the order (the list keeps those). */
  variables: Omit<Vars, "first" | "after" | "last" | "before" | "offset" | "orderBy">;
  connection: (data: Data) => Connection<Row> | undefined;
  /** The selection the screen opens with. */
  initial: Map<string, T>;
  /** What the selection keeps for a row. */
  toChoice: (row: NoInfer<Row>) => T;
}) {
  const { toChoice } = options;
  const [pageSize, setPageSize] = useState(50);
  const selection = useSelection<T>(options.initial);
  const [orderBy, setOrderBy] = useState<LineOrder | null>(null);
  // The ids shown by 選択中のみ表示, with the list's variables when it was turned on:
  // a new filter (検索) shows the filtered list again.
  const base = JSON.stringify(options.variables);
  const [shownOnly, setShownOnly] = useState<{ ids: readonly string[]; base: string } | null>(null);
  const selectedOnly = shownOnly?.base === base ? shownOnly.ids : null;
  const list = usePagedConnection({
    query: options.query,
    variables: listVariables(options.variables as ListVariables, orderBy, selectedOnly) as Omit<
      Vars,
      "first" | "after" | "last" | "before" | "offset"
    >,
    pageSize,
    connection: options.connection,
    maxOffset: MAX_LINES_OFFSET,
  });
  const selectable = (row: Row) => !isOutOfService(row.deviceKind);

  return {
    selection,
    list,
    pageSize,
    toChoice,
    /** What the list shows (filter, order, 選択中のみ表示), for 「CSV出力」. */
    shown: listVariables(options.variables as ListVariables, orderBy, selectedOnly),
    /** SortHeader's props for a column (clickable headers with aria-sort). */
    sortProps: (field: LineOrderField) => ({
      sort: sortState(orderBy, field),
      onSort: () => setOrderBy(nextOrder(orderBy, field)),
    }),
    /** SelectedOnlyToggle's props: 選択中のみ表示. */
    selectedOnly: {
      on: selectedOnly !== null,
      onChange: (on: boolean) => setShownOnly(on ? { ids: [...selection.selected.keys()], base } : null),
    },
    /** SelectionControls' props, above the table. */
    controls: { selection, list, toChoice, selectable, pageSize, onPageSize: setPageSize },
    /** SelectRow's props for the row at `index` of the page shown. */
    rowProps: (row: Row, index: number) => ({
      phoneNumber: row.phoneNumber,
      number: list.page * pageSize + index + 1,
      checked: selection.selected.has(row.id),
      disabled: !selectable(row),
      onChange: (checked: boolean) => selection.toggle(toChoice(row), checked),
    }),
  };
}
