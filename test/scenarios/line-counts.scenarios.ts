// Counting lines (totalCount from LineCount, services/line-counts.ts): an
// account whose lines spread over every column LineCount keeps — two groups
// and none, every device kind, both contract states — and a second account
// whose counts must never move when the first one's lines change.
import { defineScenario } from "./scenario.ts";

export const LINE_COUNTS_NOW = "2026-11-24T10:00:00+09:00";

export const lineCountsScenario = defineScenario({
  account: {
    name: "集計株式会社",
    customerCode: "COUNTS-0001",
    groups: ["営業部", "開発部"],
    admins: [
      { loginId: "Manager@admin", name: "管理者", role: "MAIN" },
      { loginId: "Sales@admin", name: "営業部管理者", role: "GROUP", groupNames: ["営業部"] },
      { loginId: "Both@admin", name: "両部管理者", role: "GROUP", groupNames: ["営業部", "開発部"] },
      { loginId: "Nobody@admin", name: "所属なし管理者", role: "GROUP", groupNames: [] },
    ],
    lines: {
      salesIphone: { group: "営業部" },
      salesIphone2: { group: "営業部" },
      salesAndroid: { group: "営業部", deviceKind: "SMARTPHONE" },
      salesFeature: { group: "営業部", deviceKind: "FEATURE_PHONE_4G" },
      salesThreeG: { group: "営業部", deviceKind: "FEATURE_PHONE_3G" },
      salesCancelled: { group: "営業部", contractStatus: "CANCELLED" },
      devIphone: { group: "開発部" },
      devIphone2: { group: "開発部" },
      devAndroid: { group: "開発部", deviceKind: "SMARTPHONE" },
      devWindows: { group: "開発部", deviceKind: "WINDOWS10_MOBILE" },
      devCancelledAndroid: { group: "開発部", deviceKind: "SMARTPHONE", contractStatus: "CANCELLED" },
      ungroupedIphone: { group: null },
      ungroupedThreeG: { group: null, deviceKind: "FEATURE_PHONE_3G" },
      ungroupedCancelled: { group: null, contractStatus: "CANCELLED" },
    },
  },
  others: [
    {
      name: "他社株式会社",
      customerCode: "COUNTS-0002",
      groups: ["営業部"],
      admins: [{ loginId: "Other@admin", name: "他社管理者", role: "MAIN" }],
      lines: {
        otherIphone: { group: "営業部" },
        otherAndroid: { group: "営業部", deviceKind: "SMARTPHONE" },
        otherUngrouped: { group: null },
      },
    },
  ],
});
