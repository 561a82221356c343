// The one urql client: Graphcache normalises by id (so a subscription event
// carrying a Receipt, ReceiptItem or Line updates every screen showing it),
// Relay connection pages are cached by their arguments, and subscriptions run over
// graphql-ws on the same /graphql path as queries.
import { type Cache, cacheExchange, type UpdateResolver } from "@urql/exchange-graphcache";
import { createClient as createWsClient } from "graphql-ws";
import { Client, fetchExchange, mapExchange, type OperationResult, subscriptionExchange } from "urql";

/** Types without an id are stored inside their parent. */
const embedded = () => null;

/** Mutations after which lists of receipts (履歴) are out of date. */
const receiptCreating = [
  "submitPermissionChange",
  "sendAppDownloadMail",
  "resendAppDownloadMail",
  "sendPasswordNotice",
  "resendPasswordNotice",
  "retryFailedItems",
];

/**
 * A resumable subscription's operation context (see
 * components/resumableProgress.ts): graphql-ws sends a subscription's payload
 * again after a reconnect, so `resume` may move a cursor in its variables as
 * each event arrives.
 */
export interface Resumable {
  resume(data: unknown, variables: Record<string, unknown>): void;
}

export function graphqlUrl(): string {
  return new URL("/graphql", window.location.href).toString();
}

export function createUrqlClient(
  token: string | null,
  onUnauthenticated: () => void,
  /**
   * For tests outside a browser: where the API is, and a WebSocket class;
   * `onAccepted` hears of every query or mutation the server answered without
   * refusing the token (the session was in use: session.tsx's idle timeout).
   */
  options: { url?: string; webSocketImpl?: unknown; onAccepted?: (result: OperationResult) => void } = {},
): Client {
  const url = options.url ?? graphqlUrl();
  const ws = createWsClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: options.webSocketImpl,
    connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}),
    lazy: true,
    // A dropped connection is retried for as long as the page is open.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
  });

  const updates: Record<string, UpdateResolver> = {};
  const invalidateReceipts = (_result: unknown, _args: unknown, cache: Cache) => {
    for (const field of cache.inspectFields("Query")) {
      if (field.fieldName === "receipts") cache.invalidate("Query", field.fieldName, field.arguments);
    }
  };
  for (const name of receiptCreating) updates[name] = invalidateReceipts;
  // 手動更新 lists new lines: every line list (and group member count) is read again.
  updates.refreshLines = (_result, _args, cache) => {
    for (const field of cache.inspectFields("Query")) {
      if (field.fieldName === "lines" || field.fieldName === "groups")
        cache.invalidate("Query", field.fieldName, field.arguments);
    }
  };

  return new Client({
    url,
    requestPolicy: "cache-and-network",
    fetchOptions: () => ({
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        // The server's CSRF protection lets through requests with this header.
        "x-graphql-yoga-csrf": "1",
      },
    }),
    exchanges: [
      cacheExchange({
        keys: {
          Viewer: embedded,
          AcceptanceWindow: embedded,
          ReceiptProgress: embedded,
          ReceiptProgressEvent: embedded,
          ReceiptProgressBatch: embedded,
          ReceiptAdmin: embedded,
          ReceiptItemError: embedded,
          PermissionChangePreview: embedded,
          PermissionChangeTarget: embedded,
          Warning: embedded,
          UserError: embedded,
          SkippedLine: embedded,
          LinePassword: embedded,
          LoginPayload: embedded,
          MailRequestPayload: embedded,
          SubmitPermissionChangePayload: embedded,
          RetryFailedItemsPayload: embedded,
          InquirePasswordsPayload: embedded,
          RefreshLinesPayload: embedded,
          LineSelection: embedded,
          LineSelectionRow: embedded,
        },
        // Pages are cached under their own first/after arguments (see
        // hooks/usePagedConnection.ts for why not relayPagination()).
        updates: { Mutation: updates },
      }),
      // After the cache: only what went to the server. A request refused for
      // its token (UNAUTHENTICATED) ends the session wherever it happened.
      mapExchange({
        onResult(result) {
          const refused = result.error?.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED");
          if (refused && token) onUnauthenticated();
          else if (token && !result.error?.networkError && result.operation.kind !== "subscription")
            options.onAccepted?.(result);
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request, operation) {
          const payload = { ...request, query: request.query ?? "", variables: { ...request.variables } };
          const { resume } = operation.context as Partial<Resumable>;
          return {
            subscribe(sink) {
              const dispose = ws.subscribe(payload, {
                next(value) {
                  resume?.(value.data, payload.variables);
                  sink.next(value as Parameters<typeof sink.next>[0]);
                },
                error(error: unknown) {
                  // The socket refused at connect (4403), or the session ended
                  // while it streamed (an error message coded UNAUTHENTICATED).
                  const ended = Array.isArray(error)
                    ? error.some(
                        (e: { extensions?: { code?: unknown } }) => e.extensions?.code === "UNAUTHENTICATED",
                      )
                    : (error as { code?: number } | null)?.code === 4403;
                  if (ended) onUnauthenticated();
                  sink.error(error);
                },
                complete: () => sink.complete(),
              });
              return { unsubscribe: dispose };
            },
          };
        },
      }),
    ],
  });
}
