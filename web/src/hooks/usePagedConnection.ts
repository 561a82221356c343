// Numbered pages (前へ / 次へ, N/M) over a Relay connection: page n is asked
// with `first: size, after: <end cursor of page n-1>`, and each page stays in
// Graphcache under its own arguments. (Graphcache's relayPagination() merges
// every page of a filter into one infinite list; two screens that select
// different fields of the same `lines(filter)` then corrupt each other's
// merged list, and a numbered page would have to be sliced out of it.)
import { useState } from "react";
import { type AnyVariables, type TypedDocumentNode, useQuery } from "urql";

export interface Connection<N> {
  totalCount: number;
  edges: { node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

export function usePagedConnection<Data, Vars extends AnyVariables, N>(options: {
  query: TypedDocumentNode<Data, Vars>;
  /** Everything except first/after. */
  variables: Omit<Vars, "first" | "after">;
  pageSize: number;
  connection: (data: Data) => Connection<N> | undefined;
  pause?: boolean;
}) {
  // A new filter or page size starts again from the first page.
  const key = `${options.pageSize}:${JSON.stringify(options.variables)}`;
  const [state, setState] = useState<{ key: string; page: number; cursors: (string | null)[] }>({
    key,
    page: 0,
    cursors: [null],
  });
  const current = state.key === key ? state : { key, page: 0, cursors: [null] };
  // Kept while rendering (React's way for state that follows its inputs), so
  // going back to an earlier filter does not find its old page.
  if (state !== current) setState(current);

  const variables = {
    ...options.variables,
    first: options.pageSize,
    after: current.cursors[current.page] ?? null,
  } as unknown as Vars;
  const [result] = useQuery({ query: options.query, variables, pause: options.pause });
  // urql keeps showing the previous page's data while the next one loads:
  // rows are only this page's once the result answers these variables.
  const answered = JSON.stringify(result.operation?.variables) === JSON.stringify(variables);
  const connection = result.data && answered ? options.connection(result.data) : undefined;
  const totalCount = connection?.totalCount ?? 0;
  const pages = Math.max(1, Math.ceil(totalCount / options.pageSize));

  function setPage(page: number) {
    if (page < 0 || page === current.page) return;
    if (page < current.page) return setState({ ...current, page });
    // Forward one page at a time, from the end cursor of the page shown.
    const endCursor = connection?.pageInfo.endCursor;
    if (page !== current.page + 1 || !connection?.pageInfo.hasNextPage || !endCursor) return;
    const cursors = current.cursors.slice(0, page);
    cursors[page] = endCursor;
    setState({ key, page, cursors });
  }

  return {
    rows: connection?.edges.map((e) => e.node) ?? [],
    page: current.page,
    pages,
    setPage,
    totalCount,
    loading: !connection && !result.error && !options.pause,
    loadingPage: !connection,
    error: result.error,
  };
}
