import { type FormEvent, useState } from "react";
import { pageLinks } from "../hooks/pagePlan.ts";
import { commonTexts, findTexts, formatCount } from "../texts.ts";

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

/**
 * 「前へ 1 … 4 5 6 7 8 … 2,000 次へ」 and a jump to a page number: the pages
 * the manual shows (「1 2 3 >」), scaled to lists of thousands of pages. The
 * list reaches any page from the nearest known position (usePagedConnection).
 */
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
  const [jumpTo, setJumpTo] = useState("");
  function jump(event: FormEvent) {
    event.preventDefault();
    const target = pageFromInput(jumpTo, pages);
    if (target === null) return;
    setJumpTo("");
    onChange(target);
  }
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={page <= 0} onClick={() => onChange(page - 1)}>
        {commonTexts.prev}
      </button>
      <ul className="page-links">
        {pageLinks(page, pages).map((link, i) =>
          link === "gap" ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: gaps have no identity of their own
            <li key={`gap-${i}`} className="page-gap" aria-hidden="true">
              …
            </li>
          ) : (
            <li key={link}>
              <button
                type="button"
                aria-label={findTexts.pageNumber(link + 1)}
                aria-current={link === page ? "page" : undefined}
                disabled={link === page}
                onClick={() => onChange(link)}
              >
                {formatCount(link + 1)}
              </button>
            </li>
          ),
        )}
      </ul>
      <button type="button" disabled={page >= pages - 1} onClick={() => onChange(page + 1)}>
        {commonTexts.next}
      </button>
      <span aria-live="polite">{commonTexts.page(page + 1, pages)}</span>
      {pages > 1 && (
        <form className="page-jump" onSubmit={jump}>
          <input
            type="number"
            inputMode="numeric"
            min={1}
            max={pages}
            value={jumpTo}
            onChange={(e) => setJumpTo(e.target.value)}
            aria-label={`${label}: ${findTexts.jumpLabel}`}
          />
          {/* Text, not a span: "nav.pager span" is the N/M counter. */}
          {findTexts.jumpOf(pages)}
          <button type="submit">{findTexts.jump}</button>
        </form>
      )}
    </nav>
  );
}

/** A typed page number (full-width digits too) as a page index within 1…pages; null otherwise. */
export function pageFromInput(text: string, pages: number): number | null {
  const digits = text.normalize("NFKC").replaceAll(/[,\s]/g, "");
  if (!/^\d+$/.test(digits)) return null;
  const page = Number(digits);
  return page >= 1 && page <= pages ? page - 1 : null;
}
