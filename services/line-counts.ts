// How many lines a caller sees through the line list with a filter
// (`lines { totalCount }`), exactly, at a cost that does not grow with the
// account.
//
// Counting the lines themselves costs a pass over every line the filter
// matches: 13–30 ms for a 100,000-line account, two to three times the page it
// comes with. LineCount holds, per account, how many lines share each
// combination of group, status, device kind, contract status and whether the
// app-download mail was sent — the columns the list filters on exactly — kept
// in the same transaction as every change to a line by triggers on Line
// (migration line_counts). Summing its matching rows is exact and costs what
// the number of combinations costs (50 groups: a few hundred rows), not the
// number of lines.
//
// Filters on anything else (words, ids, mail dates) cannot be read from it;
// those totals count the lines, as before.
import DataLoader from "dataloader";
import { type Actor, lineScope, visibleGroupIds } from "../domain/auth/actor.ts";
import type { Db } from "../lib/db.ts";
import { type LineFilter, lineCountWhere, lineFilterWhere } from "./line-filter.ts";

/** Which way countLines answers a filter: from LineCount, or by counting the lines. */
export function countingMethod(filter: LineFilter | null | undefined): "lineCounts" | "lines" {
  return lineCountWhere(filter) ? "lineCounts" : "lines";
}

export async function countLines(
  db: Db,
  actor: Actor,
  filter: LineFilter | null | undefined,
): Promise<number> {
  const counted = lineCountWhere(filter);
  if (!counted) {
    return db.line.count({ where: { AND: [lineScope(actor), ...lineFilterWhere(filter)] } });
  }
  const groupIds = visibleGroupIds(actor);
  const total = await db.lineCount.aggregate({
    _sum: { lines: true },
    where: {
      AND: [{ accountId: actor.accountId }, ...(groupIds ? [{ groupId: { in: groupIds } }] : []), ...counted],
    },
  });
  return total._sum.lines ?? 0;
}

/** What the group list shows of a group's lines. */
export interface GroupLineCounts {
  /** Every line of the group (人数). */
  members: number;
  /** Its out-of-service 3G lines: a group holding one cannot be selected (R16). */
  featurePhones3g: number;
}

/**
 * The line counts of groups, for a list of them: one grouped read of
 * LineCount per request, however many groups and lines. Counting each
 * group's lines read every line of the group — about 10 ms a group on the
 * 100,000-line bench account, half a second for a page of 50 groups.
 */
export function groupLineCountsLoader(db: Db) {
  return new DataLoader<string, GroupLineCounts>(async (groupIds) => {
    const rows = await db.lineCount.groupBy({
      by: ["groupId", "deviceKind"],
      where: { groupId: { in: [...groupIds] } },
      _sum: { lines: true },
    });
    const counts = new Map<string, GroupLineCounts>(
      groupIds.map((id) => [id, { members: 0, featurePhones3g: 0 }]),
    );
    for (const row of rows) {
      const group = row.groupId === null ? undefined : counts.get(row.groupId);
      if (!group) continue;
      const lines = row._sum.lines ?? 0;
      group.members += lines;
      if (row.deviceKind === "FEATURE_PHONE_3G") group.featurePhones3g += lines;
    }
    return groupIds.map((id) => counts.get(id) as GroupLineCounts);
  });
}
