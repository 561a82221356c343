// receiptProgress resumes where it stopped: graphql-ws sends this same
// subscription payload again after a reconnect, so keeping afterSeq at the
// last event received makes the server replay exactly what was missed. A
// snapshot carries the receipt's latest seq while the events after afterSeq
// are still to be replayed: it moves the cursor only when there was none
// (the server starts there).
import type { Resumable } from "../client.ts";

/** The operation context of a receiptProgress subscription (LiveProgress). */
export const resumableProgress: Resumable = {
  resume(data, variables) {
    const event = (data as { receiptProgress?: { seq?: unknown; snapshot?: unknown } } | null | undefined)
      ?.receiptProgress;
    if ("afterSeq" in variables && typeof event?.seq === "number") {
      if (event.snapshot !== true || variables.afterSeq == null) variables.afterSeq = event.seq;
    }
  },
};
