// The table of a paged list, with its loading and empty states.
import type { ReactNode } from "react";
import { commonTexts } from "../texts.ts";
import { Loading } from "./Messages.tsx";

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
    <div className="table-wrap">
      <table aria-label={label} aria-busy={list.loadingPage}>
        {children}
      </table>
    </div>
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
  onChange,
  children,
}: {
  phoneNumber: string;
  /** No.: the row's position in the whole list. */
  number: number;
  checked: boolean;
  /** A line that cannot be selected (R16: サービス対象外). */
  disabled?: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
}) {
  return (
    <tr className={checked ? "selected" : disabled ? "disabled" : undefined}>
      <SelectCell phoneNumber={phoneNumber} checked={checked} disabled={disabled} onChange={onChange} />
      <td>{number}</td>
      {children}
    </tr>
  );
}
