import { commonTexts } from "../texts.ts";

export const PAGE_SIZES = [20, 50, 100] as const;

export function PageSizeSelect({ value, onChange }: { value: number; onChange: (size: number) => void }) {
  return (
    <label className="page-size">
      <span className="visually-hidden">表示件数</span>
      <select value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {PAGE_SIZES.map((size) => (
          <option key={size} value={size}>
            {commonTexts.pageSize(size)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Pager({
  page,
  pages,
  onChange,
  label,
}: {
  page: number;
  pages: number;
  onChange: (page: number) => void;
  label: string;
}) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={page <= 0} onClick={() => onChange(page - 1)}>
        {commonTexts.prev}
      </button>
      <span aria-live="polite">{commonTexts.page(page + 1, pages)}</span>
      <button type="button" disabled={page >= pages - 1} onClick={() => onChange(page + 1)}>
        {commonTexts.next}
      </button>
    </nav>
  );
}
