// lineStatusChanged's stream, without GraphQL: the lines of an account that
// changed, as each watcher may see them.
//
// An event only names the lines that changed; their state is read from the
// database. That read is shared by every watcher of the event on this
// instance (one read per event, not one per watcher: 3,000 watchers on one
// socket used to make 3,000 reads per change and stalled the process), and
// each watcher's scope and filter are then applied in memory.
import { type Actor, canSeeLine } from "../domain/auth/actor.ts";
import type { Db } from "../lib/db.ts";
import type { Line } from "../prisma/generated/client/client.ts";
import { endingWith, OVERFLOW, type Realtime } from "./realtime.ts";
import type { SharedReads } from "./shared-reads.ts";

export interface LineChangesFilter {
  /** Only this group's lines. */
  groupId?: string | null;
  /** Only these lines. */
  lineIds?: readonly string[] | null;
}

/**
 * The changed lines the actor may see and the filter wants, one by one, as
 * they are committed; OVERFLOW when the watcher fell so far behind that
 * which lines changed was lost (it should refetch).
 */
export function watchLineChanges(
  deps: { db: Db; realtime: Realtime; sharedReads: SharedReads },
  actor: Actor,
  filter: LineChangesFilter = {},
): AsyncGenerator<Line | typeof OVERFLOW, void, unknown> {
  const live = deps.realtime.subscribe("lines:changed", actor.accountId);
  const wanted = filter.lineIds ? new Set(filter.lineIds) : null;
  const groupId = filter.groupId ?? null;
  async function* changed() {
    try {
      for await (const change of live) {
        if (change === OVERFLOW) {
          yield OVERFLOW;
          continue;
        }
        if (wanted && !change.lineIds.some((id) => wanted.has(id))) continue;
        const lines = await deps.sharedReads.forEvent(change, "lines", () =>
          deps.db.line.findMany({
            where: { accountId: actor.accountId, id: { in: change.lineIds } },
            orderBy: { id: "asc" },
          }),
        );
        for (const line of lines) {
          if (wanted && !wanted.has(line.id)) continue;
          if (groupId && line.groupId !== groupId) continue;
          if (canSeeLine(actor, line)) yield line;
        }
      }
    } finally {
      await live.return();
    }
  }
  return endingWith(changed(), live);
}
