import type { CombinedError } from "urql";
import type { useSelection } from "../hooks/useSelection.ts";
import { commonTexts } from "../texts.ts";
import { ErrorMessages, RequestError } from "./Messages.tsx";
import { PageSizeSelect } from "./Paging.tsx";

/** 「対象回線選択:N件/M件」 with ページ内全選択/全解除 and the page size. */
export function SelectionBar({
  selected,
  total,
  pageSize,
  onPageSize,
  onSelectPage,
  onDeselectPage,
}: {
  selected: number;
  total: number;
  pageSize?: number;
  onPageSize?: (size: number) => void;
  onSelectPage?: () => void;
  onDeselectPage?: () => void;
}) {
  return (
    <div className="selection-bar">
      <output className="counter" aria-live="polite">
        {commonTexts.selectionCounter(selected, total)}
      </output>
      {onSelectPage && (
        <button type="button" onClick={onSelectPage}>
          {commonTexts.selectAllInPage}
        </button>
      )}
      {onDeselectPage && (
        <button type="button" onClick={onDeselectPage}>
          {commonTexts.deselectAllInPage}
        </button>
      )}
      {pageSize && onPageSize && <PageSizeSelect value={pageSize} onChange={onPageSize} />}
    </div>
  );
}

type Selection<T extends { id: string }> = ReturnType<typeof useSelection<T>>;

/**
 * Above a selectable line list: its errors (the request's, R3's 200-line
 * limit at selection, and what was answered about the selection) and the
 * selection bar acting on the page shown.
 */
export function SelectionControls<Row extends { id: string }, T extends { id: string }>({
  selection,
  list,
  toChoice,
  selectable = () => true,
  pageSize,
  onPageSize,
}: {
  selection: Selection<T>;
  list: { rows: Row[]; totalCount: number; error: CombinedError | undefined };
  /** What the selection keeps for a row of the page. */
  toChoice: (row: Row) => T;
  /** Rows ページ内全選択 may take (R16: not サービス対象外 lines). */
  selectable?: (row: Row) => boolean;
  pageSize: number;
  onPageSize: (size: number) => void;
}) {
  const errors = selection.limitError ? [selection.limitError, ...selection.errors] : selection.errors;
  return (
    <>
      <ErrorMessages errors={errors} />
      <RequestError error={list.error} />
      <SelectionBar
        selected={selection.selected.size}
        total={list.totalCount}
        pageSize={pageSize}
        onPageSize={onPageSize}
        onSelectPage={() => selection.selectPage(list.rows.filter(selectable).map(toChoice))}
        onDeselectPage={() => selection.deselectPage(list.rows)}
      />
    </>
  );
}
