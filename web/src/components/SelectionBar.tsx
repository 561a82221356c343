import { commonTexts } from "../texts.ts";
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
