// A table that may scroll sideways (narrow windows, many columns): a named
// region that takes keyboard focus, so it can be scrolled without a mouse and
// is announced by name (axe scrollable-region-focusable).
import type { ReactNode } from "react";
import { guidanceTexts } from "../texts.ts";

export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section className="table-wrap" tabIndex={0} aria-label={guidanceTexts.tableRegion(label)}>
      {children}
    </section>
  );
}
