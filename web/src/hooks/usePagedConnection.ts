// Numbered pages (「前へ 1 … 4 5 6 … 2,000 次へ」 and a jump) over a Relay
// connection that stays keyset-paginated: each page is asked from the nearest
// anchor (the start, the end, or the page on screen) as pagePlan.ts plans it,
// and each page stays in Graphcache under its own arguments. (Graphcache's
// relayPagination() merges every page of a filter into one infinite list; two
// screens that select different fields of the same `lines(filter)` then
// corrupt each other's merged list, and a numbered page would have to be
// sliced out of it.)
import { useRef, useState } from "react";
import { type AnyVariables, CombinedError, type TypedDocumentNode, useClient, useQuery } from "urql";
import { hopLength, hopRequest, needsHops, type PageRequest, pageRequest, planPage } from "./pagePlan.ts";

export interface Connection<N> {
  totalCount: number;
  edges: { node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null; startCursor?: string | null };
}

/** The largest page the API returns: hops without `offset` move this far. */
const PAGE_LIMIT = 200;

type PageVariables = "first" | "after" | "last" | "before" | "offset";

export function usePagedConnection<Data, Vars extends AnyVariables, N>(options: {
  query: TypedDocumentNode<Data, Vars>;
  /** Everything except the paging arguments. */
  variables: Omit<Vars, PageVariables>;
  pageSize: number;
  connection: (data: Data) => Connection<N> | undefined;
  pause?: boolean;
  /** How far the list's `offset` argument may skip (lines: MAX_LINES_OFFSET); 0 when it has none. */
  maxOffset?: number;
}) {
  const client = useClient();
  const maxOffset = options.maxOffset ?? 0;
  const withOffset = maxOffset > 0;
  // A new filter or page size starts again from the first page.
  const key = `${options.pageSize}:${JSON.stringify(options.variables)}`;
  const firstPage = (): PageRequest => ({ first: options.pageSize, after: null });
  const [state, setState] = useState<{ key: string; page: number; request: PageRequest }>(() => ({
    key,
    page: 0,
    request: firstPage(),
  }));
  const [jumping, setJumping] = useState(false);
  const [jumpError, setJumpError] = useState<CombinedError | undefined>(undefined);
  const latestKey = useRef(key);
  latestKey.current = key;
  const current = state.key === key ? state : { key, page: 0, request: firstPage() };
  // Kept while rendering (React's way for state that follows its inputs), so
  // going back to an earlier filter does not find its old page.
  if (state !== current) setState(current);

  const variables = { ...options.variables, ...current.request } as unknown as Vars;
  const [result] = useQuery({ query: options.query, variables, pause: options.pause });
  // urql keeps showing the previous page's data while the next one loads:
  // rows are only this page's once the result answers these variables.
  const answered = JSON.stringify(result.operation?.variables) === JSON.stringify(variables);
  const connection = result.data && answered ? options.connection(result.data) : undefined;
  const totalCount = connection?.totalCount ?? 0;
  const pages = Math.max(1, Math.ceil(totalCount / options.pageSize));

  async function setPage(page: number) {
    if (page < 0 || page >= pages || page === current.page || !connection || jumping) return;
    const plan = planPage(page, options.pageSize, totalCount, {
      page: current.page,
      startCursor: connection.pageInfo.startCursor ?? null,
      endCursor: connection.pageInfo.endCursor ?? null,
    });
    if (needsHops(plan, maxOffset)) {
      // Far away: walk there in hops, each reading the row (or page) where the next one starts.
      setJumping(true);
      setJumpError(undefined);
      try {
        while (needsHops(plan, maxOffset)) {
          const length = hopLength(plan.skip, maxOffset, PAGE_LIMIT);
          const hop = { ...options.variables, ...hopRequest(plan.anchor, length, withOffset) } as Vars;
          const answer = await client
            .query(options.query, hop, { requestPolicy: "network-only" })
            .toPromise();
          const info = answer.data ? options.connection(answer.data)?.pageInfo : undefined;
          const cursor = plan.anchor.direction === "forward" ? info?.endCursor : info?.startCursor;
          if (!cursor)
            throw answer.error ?? new CombinedError({ networkError: new Error("page not reached") });
          plan.anchor = { ...plan.anchor, cursor };
          plan.skip -= length;
        }
      } catch (error) {
        setJumpError(
          error instanceof CombinedError ? error : new CombinedError({ networkError: error as Error }),
        );
        return;
      } finally {
        setJumping(false);
      }
      // The filter changed while walking: its own first page is shown.
      if (latestKey.current !== key) return;
    }
    setState({ key, page, request: pageRequest(plan, withOffset) });
  }

  return {
    rows: connection?.edges.map((e) => e.node) ?? [],
    page: current.page,
    pages,
    setPage,
    totalCount,
    loading: !connection && !result.error && !options.pause,
    loadingPage: !connection || jumping,
    error: result.error ?? jumpError,
  };
}
