// Reading and paging lines: a small account to page through with small pages,
// filter and search (linesScenario), and one with more lines than the largest
// page (fullPageScenario).
import { addDays, jstDate } from "../../domain/time.ts";
import { defineScenario, type ScenarioLine } from "./scenario.ts";

/** The tests' FAKE_NOW: "today" for the lines the carrier added today and the 60-day rule (R12). */
export const LINES_NOW = "2026-11-24T10:00:00+09:00";
const today = jstDate(new Date(LINES_NOW));

/**
 * Phone numbers follow the order below, so the lines are listed in it. 14
 * lines are listed; four more are in the carrier's roster only.
 */
export const linesScenario = defineScenario({
  account: {
    name: "回線株式会社",
    customerCode: "LINES-0001",
    // 物流部 holds the 3G lines, so it cannot be selected.
    groups: ["営業部", "開発部", "物流部"],
    lines: {
      // The first three lines are plain and selectable (a mutation's payload changes them).
      salesIphone: { group: "営業部" },
      salesAndroid: { group: "営業部", deviceKind: "SMARTPHONE" },
      devIphone: { group: "開発部" },
      satoTaro: { group: "営業部", name: "佐藤 太郎", nameKana: "サトウ タロウ" },
      satoHanako: { group: "開発部", name: "佐藤 花子", nameKana: "サトウ ハナコ" },
      // R1: migration is on by default from 2017-05-10, off up to 2017-05-09.
      migrationOn: { group: "営業部", deviceKind: "SMARTPHONE", contractedOn: "2017-05-10" },
      bothOff: { group: "開発部", contractedOn: "2017-05-09" },
      // R12: a 4G feature phone upgraded from 3G more than 60 days ago (migration on).
      upgradedLongAgo: {
        group: "開発部",
        deviceKind: "FEATURE_PHONE_4G",
        upgradedFrom3gOn: addDays(today, -90),
      },
      threeG: { group: "物流部", deviceKind: "FEATURE_PHONE_3G" },
      // Found by "物流" through its group's name only.
      threeGInWarehouse: { group: "物流部", deviceKind: "FEATURE_PHONE_3G", affiliation: "倉庫" },
      // Right after five pages of two: a filter on ACTIVE skips it.
      cancelled: { group: "営業部", contractStatus: "CANCELLED" },
      ungrouped: { group: null },
      otherUngrouped: { group: null },
      cancelledInDev: { group: "開発部", contractStatus: "CANCELLED" },
      // In the carrier's roster only, added today: listed after 手動更新 (R8).
      addedToday: { group: "営業部", contractedOn: today, changeKind: "NEW_LINE" },
      otherAddedToday: { group: "営業部", contractedOn: today, changeKind: "NEW_LINE" },
      portedInToday: { group: "営業部", contractedOn: today, changeKind: "MNP_PORT_IN" },
      // Never listed before its contract date, not even after 手動更新.
      contractedTomorrow: { group: "営業部", contractedOn: addDays(today, 1), changeKind: "NEW_LINE" },
    },
  },
});

/** The largest page a connection gives (PAGE_LIMIT). */
const FULL_PAGE = 200;
const fullPageGroups = ["営業部", "開発部", "総務部"] as const;

/**
 * A full page of lines and two more after it (line000..line201), spread over
 * three groups: `first: 200` is a whole page and `last: 2` lies beyond it.
 */
export const fullPageScenario = defineScenario({
  account: {
    name: "ページ株式会社",
    customerCode: "PAGE-0001",
    groups: [...fullPageGroups],
    lines: Object.fromEntries(
      Array.from({ length: FULL_PAGE + 2 }, (_, i) => [
        `line${String(i).padStart(3, "0")}`,
        { group: fullPageGroups[i % fullPageGroups.length] },
      ]),
    ) as Record<`line${string}`, ScenarioLine>,
  },
});
