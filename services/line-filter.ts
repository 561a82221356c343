// What narrowing the line list means (絞り込み, the API's LineFilter and the
// CSV export's parameters): as conditions on the lines, and — for the filters
// that use only the columns LineCount keeps — as conditions on LineCount, so a
// total can be summed from it (services/line-counts.ts). The two must say the
// same thing; test/db/line-counts.test.ts compares them filter by filter.
import { OUT_OF_SERVICE_DEVICE_KIND } from "../domain/rules/selection.ts";
import { searchTerms } from "../domain/search.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";
import type { ContractStatus, DeviceKind, LineStatus } from "../prisma/generated/client/enums.ts";

/** Every field given must match; ids come decoded (the API's global ids, the export's parameters). */
export interface LineFilter {
  search?: string | null;
  ids?: readonly { id: string }[] | null;
  deviceKinds?: readonly DeviceKind[] | null;
  groupId?: { id: string } | null;
  ungrouped?: boolean | null;
  status?: LineStatus | null;
  deviceKind?: DeviceKind | null;
  contractStatus?: ContractStatus | null;
  lastAppDownloadMailFrom?: Date | null;
  lastAppDownloadMailTo?: Date | null;
  appDownloadMailNeverSent?: boolean | null;
  outOfService?: boolean | null;
}

export function lineFilterWhere(filter: LineFilter | null | undefined): Prisma.LineWhereInput[] {
  if (!filter) return [];
  const where: Prisma.LineWhereInput[] = [];
  // Each word must match some column (domain/search.ts says how words are read).
  for (const term of searchTerms(filter.search)) {
    where.push({
      OR: [
        { name: { contains: term.text, mode: "insensitive" } },
        { nameKana: { contains: term.kana, mode: "insensitive" } },
        { affiliation: { contains: term.text, mode: "insensitive" } },
        { group: { name: { contains: term.text, mode: "insensitive" } } },
        { phoneNumber: { contains: term.text } },
        ...term.phoneFragments.map((fragment) => ({ phoneNumber: { contains: fragment } })),
      ],
    });
  }
  if (filter.ids) where.push({ id: { in: filter.ids.map((line) => line.id) } });
  if (filter.deviceKinds) where.push({ deviceKind: { in: [...filter.deviceKinds] } });
  if (filter.groupId) where.push({ groupId: filter.groupId.id });
  if (filter.ungrouped) where.push({ groupId: null });
  if (filter.status) where.push({ status: filter.status });
  if (filter.deviceKind) where.push({ deviceKind: filter.deviceKind });
  if (filter.contractStatus) where.push({ contractStatus: filter.contractStatus });
  if (filter.lastAppDownloadMailFrom)
    where.push({ lastAppDownloadMailAt: { gte: filter.lastAppDownloadMailFrom } });
  if (filter.lastAppDownloadMailTo)
    where.push({ lastAppDownloadMailAt: { lte: filter.lastAppDownloadMailTo } });
  if (filter.appDownloadMailNeverSent) where.push({ lastAppDownloadMailAt: null });
  if (filter.outOfService != null) {
    where.push({
      deviceKind: filter.outOfService ? OUT_OF_SERVICE_DEVICE_KIND : { not: OUT_OF_SERVICE_DEVICE_KIND },
    });
  }
  return where;
}

/**
 * The fields LineCount can answer. Listed rather than excluded, so that a
 * field added to LineFilter is counted on the lines until someone teaches it
 * to lineCountWhere.
 */
const COUNTED_FIELDS: ReadonlySet<string> = new Set<keyof LineFilter>([
  "deviceKinds",
  "groupId",
  "ungrouped",
  "status",
  "deviceKind",
  "contractStatus",
  "appDownloadMailNeverSent",
  "outOfService",
]);

/**
 * The filter as conditions on LineCount, or null when it narrows by what
 * LineCount does not keep (words, ids, mail dates): that total needs the lines.
 */
export function lineCountWhere(filter: LineFilter | null | undefined): Prisma.LineCountWhereInput[] | null {
  if (!filter) return [];
  for (const [field, value] of Object.entries(filter)) {
    if (value == null || COUNTED_FIELDS.has(field)) continue;
    // Blank words narrow nothing.
    if (field === "search" && searchTerms(value as string).length === 0) continue;
    return null;
  }
  const where: Prisma.LineCountWhereInput[] = [];
  if (filter.deviceKinds) where.push({ deviceKind: { in: [...filter.deviceKinds] } });
  if (filter.groupId) where.push({ groupId: filter.groupId.id });
  if (filter.ungrouped) where.push({ groupId: null });
  if (filter.status) where.push({ status: filter.status });
  if (filter.deviceKind) where.push({ deviceKind: filter.deviceKind });
  if (filter.contractStatus) where.push({ contractStatus: filter.contractStatus });
  if (filter.appDownloadMailNeverSent) where.push({ appDownloadMailSent: false });
  if (filter.outOfService != null) {
    where.push({
      deviceKind: filter.outOfService ? OUT_OF_SERVICE_DEVICE_KIND : { not: OUT_OF_SERVICE_DEVICE_KIND },
    });
  }
  return where;
}
