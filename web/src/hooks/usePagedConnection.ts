// Numbered pages over a Relay connection. Graphcache's relayPagination keeps
// every page fetched for the same filter as one list; a page is a slice of
// that list, and only rows not loaded yet are fetched (after the last cursor).
// Going back a page, or to a larger page size, costs no request.
import { useEffect, useMemo, useState } from "react";
import { type AnyVariables, type TypedDocumentNode, useQuery } from "urql";

interface Connection<N> {
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
  const key = JSON.stringify(options.variables);
  const [page, setPage] = useState(0);
  const [fetchArgs, setFetchArgs] = useState<{ key: string; first: number; after: string | null }>({
    key,
    first: options.pageSize,
    after: null,
  });
  // A new filter starts again from its first page.
  const args = fetchArgs.key === key ? fetchArgs : { key, first: options.pageSize, after: null };
  useEffect(() => {
    if (fetchArgs.key !== key) {
      setFetchArgs({ key, first: options.pageSize, after: null });
      setPage(0);
    }
  }, [key, fetchArgs.key, options.pageSize]);

  const [result, reexecute] = useQuery({
    query: options.query,
    variables: { ...options.variables, first: args.first, after: args.after } as unknown as Vars,
    pause: options.pause,
  });
  const connection = result.data ? options.connection(result.data) : undefined;
  const edges = connection?.edges ?? [];
  const needed = (page + 1) * options.pageSize;

  useEffect(() => {
    if (!connection || result.fetching || result.stale) return;
    if (edges.length < needed && connection.pageInfo.hasNextPage && connection.pageInfo.endCursor) {
      setFetchArgs({ key, first: needed - edges.length, after: connection.pageInfo.endCursor });
    }
  }, [connection, edges.length, needed, result.fetching, result.stale, key]);

  const totalCount = connection?.totalCount ?? 0;
  const pages = Math.max(1, Math.ceil(totalCount / options.pageSize));
  const rows = useMemo(
    () => edges.slice(page * options.pageSize, needed).map((e) => e.node),
    [edges, page, options.pageSize, needed],
  );
  // Keep the page in range when the size grows or the list shrinks.
  useEffect(() => {
    if (connection && page > pages - 1) setPage(pages - 1);
  }, [connection, page, pages]);

  return {
    rows,
    page,
    pages,
    setPage,
    totalCount,
    loading: !result.data && result.fetching,
    /** The rows of this page are still being fetched. */
    loadingPage: rows.length < Math.min(options.pageSize, totalCount - page * options.pageSize),
    error: result.error,
    refresh: () => reexecute({ requestPolicy: "network-only" }),
  };
}
