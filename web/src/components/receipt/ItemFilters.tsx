// 履歴詳細's 指定なし/検索/クリア over a receipt's lines: by status (指定なし,
// 処理中, 正常終了, 異常終了) and by phone number (part of it, hyphens and
// full-width digits as typed: the server reads them, ReceiptItemFilter).
import { type FormEvent, useState } from "react";
import type { ReceiptItemFilter, ReceiptItemStatus } from "../../gql/graphql.ts";
import { commonTexts, findTexts } from "../../texts.ts";

type Shown = keyof typeof findTexts.itemStatuses;

/** The item statuses each choice shows: 処理中 is everything not finished yet (受付済 too). */
const STATUSES: Record<Shown, ReceiptItemStatus[]> = {
  PROCESSING: ["PENDING", "PROCESSING"],
  SUCCEEDED: ["SUCCEEDED"],
  FAILED: ["FAILED"],
};

/** The filter for a status choice ("" is 指定なし) and a typed phone number. */
export function itemFilter(status: Shown | "", phoneNumber: string): ReceiptItemFilter {
  return {
    ...(status ? { statuses: STATUSES[status] } : {}),
    ...(phoneNumber.trim() ? { phoneNumber: phoneNumber.trim() } : {}),
  };
}

export function ItemFilters({
  onChange,
  empty = false,
}: {
  onChange: (filter: ReceiptItemFilter) => void;
  /** The filtered list is empty: said here, where the filter is. */
  empty?: boolean;
}) {
  const [status, setStatus] = useState<Shown | "">("");
  const [phoneNumber, setPhoneNumber] = useState("");

  function apply(event: FormEvent) {
    event.preventDefault();
    onChange(itemFilter(status, phoneNumber));
  }

  return (
    <>
      <form className="filters" onSubmit={apply} aria-label={findTexts.itemFiltersLabel}>
        <select
          value={status}
          onChange={(e) => setStatus(e.target.value as Shown | "")}
          aria-label={findTexts.itemStatus}
        >
          <option value="">
            {findTexts.itemStatus}: {commonTexts.unspecified}
          </option>
          {(Object.keys(STATUSES) as Shown[]).map((s) => (
            <option key={s} value={s}>
              {findTexts.itemStatuses[s]}
            </option>
          ))}
        </select>
        <input
          type="search"
          maxLength={32}
          value={phoneNumber}
          onChange={(e) => setPhoneNumber(e.target.value)}
          placeholder={findTexts.itemPhonePlaceholder}
          aria-label={findTexts.itemPhone}
        />
        <button type="submit">{commonTexts.search}</button>
        <button
          type="button"
          onClick={() => {
            setStatus("");
            setPhoneNumber("");
            onChange({});
          }}
        >
          {commonTexts.clear}
        </button>
      </form>
      {empty && <p className="empty">{findTexts.emptyItems}</p>}
    </>
  );
}
