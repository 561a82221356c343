import type { CombinedError } from "urql";
import type { useSelection } from "../hooks/useSelection.ts";
import { commonTexts } from "../texts.ts";
import { RequestError } from "./Messages.tsx";
import { PageSizeSelect } from "./Paging.tsx";

/**
 * 「対象回線選択:N件/M件」. M is the list's count, once known: while a new
 * filter or page is read, and when a filter matches no line, the counter says
 * only what is selected (never 「50件/0件」).
 */
export function selectionCounterText(selected: number, total: number | null): string {
  return total === null || (total === 0 && selected > 0)
    ? commonTexts.selectionCounterAlone(selected)
    : commonTexts.selectionCounter(selected, total);
}

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
  /** The list's count; null while it is being read. */
  total: number | null;
  pageSize?: number;
  onPageSize?: (size: number) => void;
  onSelectPage?: () => void;
  onDeselectPage?: () => void;
}) {
  return (
    <div className="selection-bar">
      <output className="counter" aria-live="polite">
        {selectionCounterText(selected, total)}
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
 * Above a selectable line list: the list's request error and the selection
 * bar acting on the page shown. What is answered about the selection (R3's
 * 200-line limit at selection, the server's errors) is shown at the screen's
 * action (ActionBar), where the eye is.
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
  list: { rows: Row[]; totalCount: number; loadingPage: boolean; error: CombinedError | undefined };
  /** What the selection keeps for a row of the page. */
  toChoice: (row: Row) => T;
  /** Rows ページ内全選択 may take (R16: not サービス対象外 lines). */
  selectable?: (row: Row) => boolean;
  pageSize: number;
  onPageSize: (size: number) => void;
}) {
  return (
    <>
      <RequestError error={list.error} />
      <SelectionBar
        selected={selection.selected.size}
        total={listTotal(list)}
        pageSize={pageSize}
        onPageSize={onPageSize}
        onSelectPage={() => selection.selectPage(list.rows.filter(selectable).map(toChoice))}
        onDeselectPage={() => selection.deselectPage(list.rows)}
      />
    </>
  );
}

/** A list's count for the counter: null while the page is being read. */
export function listTotal(list: { totalCount: number; loadingPage: boolean }): number | null {
  return list.loadingPage ? null : list.totalCount;
}
