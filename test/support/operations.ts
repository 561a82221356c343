// Records the Prisma calls the app makes (`Line.findMany`, `$queryRaw`), for
// tests to inline-snapshot the calls of one request: an N+1 or an extra read
// shows up as a readable diff rather than as a count that moved.
import type { DatabaseOptions } from "../../lib/db.ts";

export interface OperationLog {
  /** Pass to startTestApp / createTestDatabase. */
  onOperation: NonNullable<DatabaseOptions["onOperation"]>;
  /** Every call recorded so far, as `Model.operation` (raw SQL as `$queryRaw`, `$executeRaw`). */
  readonly all: string[];
  /** What `work` returns, and the calls it made (with anything else running meanwhile). */
  during<T>(work: () => Promise<T>): Promise<{ result: T; calls: string[] }>;
}

export function recordOperations(): OperationLog {
  const all: string[] = [];
  return {
    all,
    onOperation: (model, operation) => {
      all.push(model ? `${model}.${operation}` : operation);
    },
    async during(work) {
      const before = all.length;
      const result = await work();
      return { result, calls: all.slice(before) };
    },
  };
}

/** How many times each call was made: for calls of concurrent clients, whose order varies. */
export function tally(calls: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call] = (counts[call] ?? 0) + 1;
  return counts;
}
