// The mark a subscription payload carries when every subscriber receives it
// alike. Services and resolvers set it; server/shared-subscriptions.ts reads
// it to execute such an event once per distinct view instead of once per
// subscriber. Kept apart from that plugin so the layers that produce events
// need nothing from server/.

const SHARED_EVENT = Symbol("sharedEvent");

/**
 * Marks a subscription payload as one event every subscriber receives alike;
 * `key` names the event (and the state it shows) uniquely.
 */
export function sharedEvent<T extends object>(payload: T, key: string | (() => string)): T {
  // One payload object handed to many subscribers is marked by the first.
  if (sharedEventKey(payload) === undefined) {
    Object.defineProperty(payload, SHARED_EVENT, { value: typeof key === "function" ? key() : key });
  }
  return payload;
}

/** The key `sharedEvent()` gave the payload, if it was marked. */
export function sharedEventKey(payload: unknown): string | undefined {
  return typeof payload === "object" && payload !== null
    ? (payload as { [SHARED_EVENT]?: string })[SHARED_EVENT]
    : undefined;
}
