// A selectable line list (利用可否設定's 回線一覧, アプリダウンロード依頼,
// パスワード照会／通知): a page of lines from the server, the selection kept
// across pages (R3) with what was answered about it, and R16's サービス対象外
// lines, which cannot be chosen.
import { useState } from "react";
import type { AnyVariables, TypedDocumentNode } from "urql";
import { isOutOfService } from "../../../domain/rules/selection.ts";
import { type Connection, usePagedConnection } from "./usePagedConnection.ts";
import { useSelection } from "./useSelection.ts";

interface LineRow {
  id: string;
  phoneNumber: string;
  deviceKind: string;
}

export function useSelectableList<
  Data,
  Vars extends AnyVariables,
  Row extends LineRow,
  T extends { id: string },
>(options: {
  query: TypedDocumentNode<Data, Vars>;
  /** Everything except first/after. */
  variables: Omit<Vars, "first" | "after">;
  connection: (data: Data) => Connection<Row> | undefined;
  /** The selection the screen opens with. */
  initial: Map<string, T>;
  /** What the selection keeps for a row. */
  toChoice: (row: NoInfer<Row>) => T;
}) {
  const { toChoice } = options;
  const [pageSize, setPageSize] = useState(50);
  const selection = useSelection<T>(options.initial);
  const list = usePagedConnection({
    query: options.query,
    variables: options.variables,
    pageSize,
    connection: options.connection,
  });
  const selectable = (row: Row) => !isOutOfService(row.deviceKind);

  return {
    selection,
    list,
    pageSize,
    toChoice,
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
