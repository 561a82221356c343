// The change feed and the audit log (issue 18): a small account whose lines
// change by batches, mail, 手動更新 and cancellation, with two groups (GROUP
// administrators see one), and a second account whose changes must stay out.
import { jstDate } from "../../domain/time.ts";
import { defineScenario } from "./scenario.ts";

/** The tests' FAKE_NOW: inside acceptance hours (R4); "today" for the line the carrier adds. */
export const FEED_NOW = "2026-11-24T10:00:00+09:00";
const today = jstDate(new Date(FEED_NOW));

export const changeFeedScenario = defineScenario({
  account: {
    name: "同期株式会社",
    customerCode: "FEED-0001",
    groups: ["営業部", "開発部"],
    lines: {
      sales1: { group: "営業部" },
      sales2: { group: "営業部", deviceKind: "SMARTPHONE" },
      sales3: { group: "営業部" },
      sales4: { group: "営業部" },
      sales5: { group: "営業部" },
      dev1: { group: "開発部" },
      dev2: { group: "開発部", deviceKind: "SMARTPHONE" },
      dev3: { group: "開発部" },
      dev4: { group: "開発部" },
      unchanged: { group: "開発部" },
      // In the carrier's roster only, added today: listed by 手動更新 (R8).
      addedToday: { group: "営業部", contractedOn: today, changeKind: "NEW_LINE" },
    },
  },
  others: [
    {
      name: "他社株式会社",
      customerCode: "FEED-0002",
      groups: ["本社"],
      admins: [{ loginId: "OtherFeed@admin", name: "他社管理者", role: "MAIN" }],
      lines: { otherLine: { group: "本社" } },
    },
  ],
});
