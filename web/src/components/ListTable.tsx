// The table of a paged list, with its loading and empty states.
import type { ReactNode } from "react";
import { commonTexts, findTexts, guidanceTexts } from "../texts.ts";
import { Loading } from "./Messages.tsx";
import { TableRegion } from "./TableRegion.tsx";

export function ListTable({
  list,
  label,
  empty = commonTexts.empty,
  children,
}: {
  list: { loading: boolean; loadingPage: boolean; rows: readonly unknown[] };
  label: string;
  empty?: string;
  children: ReactNode;
}) {
  if (list.loading) return <Loading />;
  if (list.rows.length === 0 && !list.loadingPage) return <p className="empty">{empty}</p>;
  return (
    <TableRegion label={label}>
      <table aria-label={label} aria-busy={list.loadingPage}>
        {children}
      </table>
    </TableRegion>
  );
}

/** 選択: a row's checkbox, named by its phone number. */
export function SelectCell({
  phoneNumber,
  checked,
  disabled,
  onChange,
}: {
  phoneNumber: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <td>
      <input
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        aria-label={`${phoneNumber}を選択`}
      />
    </td>
  );
}

/** A row of a selectable line list: 選択 and No. cells, then the screen's own cells. */
export function SelectRow({
  phoneNumber,
  number,
  checked,
  disabled = false,
  flagged = false,
  onChange,
  children,
}: {
  phoneNumber: string;
  /** No.: the row's position in the whole list. */
  number: number;
  checked: boolean;
  /** A line that cannot be selected (R16: サービス対象外). */
  disabled?: boolean;
  /** A selected line an error named (userErrors' lineIds): marked until it is deselected. */
  flagged?: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
}) {
  return (
    <tr className={flagged ? "flagged" : checked ? "selected" : disabled ? "disabled" : undefined}>
      <SelectCell phoneNumber={phoneNumber} checked={checked} disabled={disabled} onChange={onChange} />
      <td>
        {number}
        {flagged && <span className="flag">{guidanceTexts.flaggedRow}</span>}
      </td>
      {children}
    </tr>
  );
}

/** Which way a column is sorted, if it is the one the list is sorted by. */
export type SortState = "ascending" | "descending" | null;

/**
 * A column header that sorts the list: pressing it sorts by the column,
 * pressing it again reverses. aria-sort tells screen readers the current order.
 */
export function SortHeader({
  sort,
  onSort,
  className,
  children,
}: {
  sort: SortState;
  onSort: () => void;
  /** status-col: kept in view on narrow windows (styles.css). */
  className?: string;
  children: string;
}) {
  return (
    <th scope="col" aria-sort={sort ?? undefined} className={className}>
      <button type="button" className="sort" onClick={onSort} aria-label={findTexts.sortBy(children)}>
        {children}
        <span className="sort-mark" aria-hidden="true">
          {sort === "ascending" ? "▲" : sort === "descending" ? "▼" : ""}
        </span>
      </button>
    </th>
  );
}
