// Numbered pages over a keyset-paginated connection (pure; usePagedConnection
// runs the plan). Page k holds rows [k·size, min((k+1)·size, total)). A page
// is read from the nearest of three anchors: the start, the end (`last`), or
// the page on screen (after its end cursor, before its start cursor), skipping
// rows with `offset` where the list has it (lines(offset:), at most
// MAX_LINES_OFFSET rows per request). Farther pages are reached in hops: a
// request that reads one row at most that far away and hands back its cursor.

/** The variables a page request adds to the list's own. */
export interface PageRequest {
  first?: number;
  after?: string | null;
  last?: number;
  before?: string | null;
  offset?: number;
}

/** Where a walk starts: the start or end of the list, or a cursor, and which way it reads. */
export interface Anchor {
  direction: "forward" | "backward";
  cursor: string | null;
}

export interface Plan {
  anchor: Anchor;
  /** Rows between the anchor and the page. */
  skip: number;
  /** Rows the page holds (the last page may hold fewer). */
  take: number;
}

/** The page on screen, with the cursors of its first and last rows. */
export interface ShownPage {
  page: number;
  startCursor: string | null;
  endCursor: string | null;
}

/** How a target page is reached with the fewest rows skipped. */
export function planPage(target: number, size: number, total: number, shown: ShownPage | null): Plan {
  const start = target * size;
  const end = Math.min(start + size, Math.max(total, start));
  const take = Math.max(0, end - start);
  const plans: Plan[] = [
    { anchor: { direction: "forward", cursor: null }, skip: start, take: size },
    { anchor: { direction: "backward", cursor: null }, skip: Math.max(0, total - end), take },
  ];
  if (shown && target > shown.page && shown.endCursor) {
    plans.push({
      anchor: { direction: "forward", cursor: shown.endCursor },
      skip: (target - shown.page - 1) * size,
      take: size,
    });
  }
  if (shown && target < shown.page && shown.startCursor) {
    plans.push({
      anchor: { direction: "backward", cursor: shown.startCursor },
      skip: (shown.page - target - 1) * size,
      take: size,
    });
  }
  // The first plan wins ties: reading from the start is what a fresh list does.
  return plans.reduce((best, plan) => (plan.skip < best.skip ? plan : best));
}

/**
 * How far one hop moves: with `offset`, up to maxOffset + 1 rows (skip them
 * less one, read one); without it, a page of at most `pageLimit` rows.
 */
export function hopLength(skip: number, maxOffset: number, pageLimit: number): number {
  return Math.min(skip, maxOffset > 0 ? maxOffset + 1 : pageLimit);
}

/** The request of one hop of `length` rows; the new anchor is the cursor of the row it ends on. */
export function hopRequest(anchor: Anchor, length: number, withOffset: boolean): PageRequest {
  const [size, offset] = withOffset ? [1, length - 1] : [length, 0];
  return request(anchor, size, offset, withOffset);
}

/** The request of the page itself, once the anchor is at most `maxOffset` rows away. */
export function pageRequest(plan: Plan, withOffset: boolean): PageRequest {
  return request(plan.anchor, plan.take, plan.skip, withOffset);
}

function request(anchor: Anchor, size: number, offset: number, withOffset: boolean): PageRequest {
  const skip = withOffset ? { offset } : {};
  return anchor.direction === "forward"
    ? { first: size, after: anchor.cursor, ...skip }
    : { last: size, before: anchor.cursor, ...skip };
}

/** Whether the plan needs hops before its page can be read. */
export function needsHops(plan: Plan, maxOffset: number): boolean {
  return plan.skip > maxOffset;
}

/** An item of the page list: a page index, or a gap (…) between far pages. */
export type PageLink = number | "gap";

/**
 * The pages to offer as links: the first and the last, and those within
 * `radius` of the current one, with gaps between (「1 … 4 5 6 7 8 … 2,000」).
 */
export function pageLinks(current: number, pages: number, radius = 2): PageLink[] {
  const shown = new Set<number>([0, pages - 1]);
  for (let page = current - radius; page <= current + radius; page++) {
    if (page >= 0 && page < pages) shown.add(page);
  }
  const sorted = [...shown].filter((page) => page >= 0).sort((a, b) => a - b);
  const links: PageLink[] = [];
  for (const [i, page] of sorted.entries()) {
    const previous = sorted[i - 1];
    if (previous !== undefined && page - previous === 2) links.push(previous + 1);
    else if (previous !== undefined && page - previous > 2) links.push("gap");
    links.push(page);
  }
  return links;
}
