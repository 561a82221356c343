// Real subscription clients for tests: graphql-ws over WebSocket and SSE.
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";

export function wsClient(url: string, token?: string): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
}

export interface Collected<T> {
  events: T[];
  error?: unknown;
  completed: boolean;
}

/**
 * Subscribes and collects until completion, an error, or `stopAfter` events.
 * `onEvent` sees each event as it comes, with those so far (a test can act
 * when the stream reaches a point, instead of after a pause).
 */
export function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  options: { stopAfter?: number; timeoutMs?: number; onEvent?: (event: T, events: T[]) => void } = {},
): Promise<Collected<T>> {
  return new Promise((resolve) => {
    const result: Collected<T> = { events: [], completed: false };
    const timer = setTimeout(() => {
      unsubscribe();
      resolve({ ...result, error: new Error("timed out") });
    }, options.timeoutMs ?? 30_000);
    const unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) {
            result.error = value.errors;
            return;
          }
          result.events.push(value.data as T);
          options.onEvent?.(value.data as T, result.events);
          if (options.stopAfter && result.events.length >= options.stopAfter) {
            clearTimeout(timer);
            unsubscribe();
            resolve(result);
          }
        },
        error: (error) => {
          clearTimeout(timer);
          resolve({ ...result, error });
        },
        complete: () => {
          clearTimeout(timer);
          resolve({ ...result, completed: true });
        },
      },
    );
  });
}

/** Runs a subscription over SSE (graphql-yoga's GraphQL over SSE) and collects its events. */
export async function collectSse<T>(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Collected<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "text/event-stream",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const events: T[] = [];
  let error: unknown;
  for (const block of text.split("\n\n")) {
    const data = block
      .split("\n")
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).trim())
      .join("");
    if (!data) continue;
    const payload = JSON.parse(data) as { data?: T; errors?: unknown };
    if (payload.errors) error = payload.errors;
    else if (payload.data) events.push(payload.data);
  }
  return { events, error, completed: text.includes("event: complete") };
}
