// The one port through which services announce what they committed. Every
// service that changes a receipt (permission changes, mails and resends when
// they accept one, the worker as it applies items) records the event in the
// receipt's log inside its transaction (receipts.ts appendEvent) and hands it
// here after the commit, so every kind of receipt reaches its watchers the
// same way. Resolvers never publish.
import type { RealtimePubSub } from "./realtime.ts";
import type { ReceiptEventRecord } from "./receipts.ts";

export interface EventsPort {
  /** A receipt's event log grew; called after the commit, in seq order per receipt. */
  receiptEvent(event: ReceiptEventRecord): void;
  /** Lines of an account changed status, flags or version; called after the commit. */
  linesChanged(accountId: string, lineIds: string[]): void;
}

/** The event that opens a receipt's log: accepted, items waiting. */
export function isAccepted(event: ReceiptEventRecord): boolean {
  return event.itemId === null && event.status === "PROCESSING";
}

/**
 * The port of a running server: events go to realtime pub/sub (this
 * instance's watchers, and other instances' over Redis); `onAccepted` lets
 * the worker look for the new items now rather than at its next poll.
 */
export function publishingEvents(pubsub: RealtimePubSub, onAccepted: () => void = () => {}): EventsPort {
  return {
    receiptEvent(event) {
      pubsub.publish("receipt:event", event.receiptId, event);
      if (isAccepted(event)) onAccepted();
    },
    linesChanged(accountId, lineIds) {
      pubsub.publish("lines:changed", accountId, { lineIds });
    },
  };
}

/** A port that tells no one (scripts, and tests that do not watch). */
export const noEvents: EventsPort = {
  receiptEvent() {},
  linesChanged() {},
};
