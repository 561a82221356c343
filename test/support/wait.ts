// Tests wait for conditions, never for durations: these read until what the
// test needs has happened, with a deadline generous enough for a loaded
// two-core machine. The deadline only decides when to give up.
import { graphql } from "./graphql.ts";

export interface WaitOptions {
  /** When to give up (default 45 s, inside a test's own 60 s). */
  timeoutMs?: number;
  /** Pause between reads (default 50 ms). */
  intervalMs?: number;
  /** Named in the error when the deadline passes. */
  what?: string;
}

/** Reads until `done` holds for what was read, and returns that value. */
export async function waitUntil<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  { timeoutMs = 45_000, intervalMs = 50, what = "the condition" }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `gave up waiting for ${what} after ${timeoutMs} ms; last read: ${JSON.stringify(value)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A receipt is final once it has left PROCESSING (SUCCEEDED or FAILED). */
export const isFinal = (receipt: { status: string } | null | undefined) =>
  receipt != null && receipt.status !== "PROCESSING";

/** Reads a receipt (by any means) until it is final, and returns the final read. */
export function waitForFinalReceipt<T extends { status: string } | null>(
  read: () => Promise<T>,
  options: WaitOptions = {},
): Promise<T> {
  return waitUntil(read, isFinal, { what: "the receipt to finish", ...options });
}

/** The same over the GraphQL API, as an integrator would: `receipt(number)` with the given fields. */
export function waitForFinalReceiptOverApi<T = any>(
  url: string,
  token: string,
  number: string,
  fields = "status",
  options: WaitOptions = {},
): Promise<T & { status: string }> {
  return waitForFinalReceipt(
    async () => {
      const query = `query ($n: String!) { receipt(number: $n) { status ${fields} } }`;
      const result = await graphql(url, query, { n: number }, token);
      // A receipt that is not there will not finish: say so now.
      if (!result.data?.receipt) throw new Error(`no receipt ${number}: ${JSON.stringify(result)}`);
      return result.data.receipt;
    },
    { what: `receipt ${number} to finish`, ...options },
  );
}
