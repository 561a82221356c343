// The web client's pure logic for finding things (issue 17 §6): which page
// links to offer, how a page is reached over keyset paging (checked against a
// list that answers first/after/last/before/offset as the API does), sorting
// headers, 選択中のみ表示's variables, 履歴詳細's filter and the page jump.
import { describe, expect, it } from "vitest";
import { MAX_LINES_OFFSET } from "../../domain/paging.ts";
import {
  digitsOf,
  normalizeSearchText,
  phoneNumberFragments,
  phoneNumberPatterns,
  receiptNumberFragment,
  searchTerms,
} from "../../domain/search.ts";
import { pageFromInput } from "../../web/src/components/Paging.tsx";
import { itemFilter } from "../../web/src/components/receipt/ItemFilters.tsx";
import {
  hopLength,
  hopRequest,
  needsHops,
  type PageRequest,
  pageLinks,
  pageRequest,
  planPage,
  type ShownPage,
} from "../../web/src/hooks/pagePlan.ts";
import { listVariables, nextOrder, sortState } from "../../web/src/hooks/useSelectableList.ts";

describe("page links (「1 … 4 5 6 7 8 … 2,000」)", () => {
  it("offers the first, the last and two on each side of the current page, with gaps", () => {
    expect(pageLinks(0, 1)).toEqual([0]);
    expect(pageLinks(0, 3)).toEqual([0, 1, 2]);
    expect(pageLinks(5, 2000)).toEqual([0, "gap", 3, 4, 5, 6, 7, "gap", 1999]);
    expect(pageLinks(0, 2000)).toEqual([0, 1, 2, "gap", 1999]);
    expect(pageLinks(1999, 2000)).toEqual([0, "gap", 1997, 1998, 1999]);
    // A gap of one page shows the page instead.
    expect(pageLinks(3, 10)).toEqual([0, 1, 2, 3, 4, 5, "gap", 9]);
  });

  it("reads a typed page number, full-width or with separators, within the pages", () => {
    expect(pageFromInput("12", 2000)).toBe(11);
    expect(pageFromInput("１，２００", 2000)).toBe(1199);
    expect(pageFromInput("0", 10)).toBeNull();
    expect(pageFromInput("11", 10)).toBeNull();
    expect(pageFromInput("abc", 10)).toBeNull();
  });
});

/**
 * A list as the API pages it: cursors are row positions; `after`/`before`
 * exclude the cursor's row; `offset` skips from the anchor; `last` reads the
 * rows just before the anchor.
 */
function fakeList(total: number) {
  let requests = 0;
  let skipped = 0;
  function read(request: PageRequest): {
    rows: number[];
    startCursor: string | null;
    endCursor: string | null;
  } {
    requests++;
    const offset = request.offset ?? 0;
    if (offset > MAX_LINES_OFFSET) throw new Error(`offset ${offset} refused`);
    skipped += offset;
    let rows: number[];
    if (request.first !== undefined) {
      const from = (request.after != null ? Number(request.after) + 1 : 0) + offset;
      rows = range(from, Math.min(total, from + request.first));
    } else {
      const end = (request.before != null ? Number(request.before) : total) - offset;
      rows = range(Math.max(0, end - (request.last ?? 0)), Math.max(0, end));
    }
    return {
      rows,
      startCursor: rows.length ? String(rows[0]) : null,
      endCursor: rows.length ? String(rows.at(-1)) : null,
    };
  }
  return { read, stats: () => ({ requests, skipped }) };
}

const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/** What usePagedConnection does for a jump: hops while too far, then the page. */
function goTo(
  list: ReturnType<typeof fakeList>,
  target: number,
  size: number,
  total: number,
  shown: ShownPage | null,
  maxOffset: number,
) {
  const plan = planPage(target, size, total, shown);
  while (needsHops(plan, maxOffset)) {
    const length = hopLength(plan.skip, maxOffset, 200);
    const hop = list.read(hopRequest(plan.anchor, length, maxOffset > 0));
    const cursor = plan.anchor.direction === "forward" ? hop.endCursor : hop.startCursor;
    plan.anchor = { ...plan.anchor, cursor };
    plan.skip -= length;
  }
  return list.read(pageRequest(plan, maxOffset > 0));
}

describe("reaching a page over keyset paging", () => {
  const total = 100_000;
  const size = 50;

  it("reads exactly the page's rows from the nearest anchor, near or far, with offset", () => {
    const shown: ShownPage = { page: 1000, startCursor: "50000", endCursor: "50049" };
    for (const target of [0, 1, 2, 3, 199, 200, 201, 998, 999, 1001, 1005, 1500, 1797, 1998, 1999]) {
      const list = fakeList(total);
      const page = goTo(list, target, size, total, shown, MAX_LINES_OFFSET);
      expect(page.rows, `page ${target}`).toEqual(range(target * size, (target + 1) * size));
      // Never more than 10,000 rows skipped per request.
      expect(list.stats().requests).toBeLessThanOrEqual(1 + Math.ceil(25_000 / (MAX_LINES_OFFSET + 1)));
    }
  });

  it("takes the cheapest way: next pages from the shown one, the last page from the end", () => {
    const shown: ShownPage = { page: 10, startCursor: "500", endCursor: "549" };
    expect(planPage(11, size, total, shown)).toEqual({
      anchor: { direction: "forward", cursor: "549" },
      skip: 0,
      take: size,
    });
    expect(planPage(9, size, total, shown)).toEqual({
      anchor: { direction: "backward", cursor: "500" },
      skip: 0,
      take: size,
    });
    expect(planPage(1999, size, total, shown)).toEqual({
      anchor: { direction: "backward", cursor: null },
      skip: 0,
      take: size,
    });
    expect(pageRequest(planPage(12, size, total, shown), true)).toEqual({
      first: 50,
      after: "549",
      offset: 50,
    });
  });

  it("the last page holds what is left", () => {
    const list = fakeList(1234);
    const page = goTo(list, 24, 50, 1234, null, MAX_LINES_OFFSET);
    expect(page.rows).toEqual(range(1200, 1234));
    expect(list.stats()).toEqual({ requests: 1, skipped: 0 });
  });

  it("walks a list without offset (receipts, items) a page of 200 at a time", () => {
    const list = fakeList(5_000);
    const page = goTo(list, 30, 20, 5_000, { page: 2, startCursor: "40", endCursor: "59" }, 0);
    expect(page.rows).toEqual(range(600, 620));
    expect(list.stats()).toEqual({ requests: 4, skipped: 0 });
    expect(goTo(fakeList(150), 7, 20, 150, null, 0).rows).toEqual(range(140, 150));
  });
});

describe("sorting by a column header", () => {
  it("sorts by the column ascending, then the other way round; the default is the phone number", () => {
    expect(sortState(null, "PHONE_NUMBER")).toBe("ascending");
    expect(sortState(null, "NAME")).toBeNull();
    const byName = nextOrder(null, "NAME");
    expect(byName).toEqual({ field: "NAME", direction: "ASC" });
    expect(nextOrder(byName, "NAME")).toEqual({ field: "NAME", direction: "DESC" });
    expect(sortState({ field: "NAME", direction: "DESC" }, "NAME")).toBe("descending");
    expect(nextOrder(null, "PHONE_NUMBER")).toEqual({ field: "PHONE_NUMBER", direction: "DESC" });
  });

  it("選択中のみ表示 shows the selected ids whatever the filter; the order stays", () => {
    const variables = { filter: { contractStatus: "ACTIVE" as const, search: "山田" } };
    expect(listVariables(variables, null, null)).toEqual(variables);
    expect(listVariables(variables, { field: "NAME", direction: "ASC" }, ["a", "b"])).toEqual({
      filter: { ids: ["a", "b"] },
      orderBy: { field: "NAME", direction: "ASC" },
    });
  });
});

describe("履歴詳細's filter", () => {
  it("処理中 is every unfinished status; a phone number is sent as typed", () => {
    expect(itemFilter("", "")).toEqual({});
    expect(itemFilter("PROCESSING", "")).toEqual({ statuses: ["PENDING", "PROCESSING"] });
    expect(itemFilter("FAILED", " ０９０ ")).toEqual({ statuses: ["FAILED"], phoneNumber: "０９０" });
  });
});

describe("search as people type it (domain/search.ts)", () => {
  it("folds full-width, half-width kana and spaces; hiragana to katakana for the kana column", () => {
    expect(normalizeSearchText("　ＡＢＣ　ﾔﾏﾀﾞ  ０９０ ")).toBe("ABC ヤマダ 090");
    expect(searchTerms("やまだ　たろう").map((t) => t.kana)).toEqual(["ヤマダ", "タロウ"]);
    expect(searchTerms("yamada")[0]!.kana).toBe("yamada");
    expect(searchTerms("   ")).toEqual([]);
    expect(searchTerms("a b c d e f g").map((t) => t.text)).toEqual(["a", "b", "c", "d", "e f g"]);
  });

  it("reads numbers with any hyphens and finds every stored form of a run of digits", () => {
    expect(digitsOf("０９０ー１２３４－５６７８")).toBe("09012345678");
    expect(digitsOf("山田")).toBeNull();
    expect(phoneNumberFragments("09012345678")).toEqual(["090-1234-5678"]);
    expect(phoneNumberFragments("9012").sort()).toEqual(["9-012", "90-12", "901-2", "9012"]);
    expect(phoneNumberFragments("123456789012")).toEqual([]);
    expect(phoneNumberPatterns("ABC")).toEqual(["ABC"]);
    expect(receiptNumberFragment("２０２６.１１２４ 0000")).toBe("202611240000");
  });
});
