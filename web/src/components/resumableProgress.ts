// receiptProgressBatch resumes where it stopped: graphql-ws sends this same
// subscription payload again after a reconnect, so keeping afterSeq at the
// last batch's lastSeq (every event up to it has arrived) makes the server
// replay exactly what was missed.
import type { Resumable } from "../client.ts";

/** The operation context of a receiptProgressBatch subscription (LiveProgress). */
export const resumableProgress: Resumable = {
  resume(data, variables) {
    const batch = (data as { receiptProgressBatch?: { lastSeq?: unknown } } | null | undefined)
      ?.receiptProgressBatch;
    if ("afterSeq" in variables && typeof batch?.lastSeq === "number") variables.afterSeq = batch.lastSeq;
  },
};
