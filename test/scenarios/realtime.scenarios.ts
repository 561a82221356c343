// lineStatusChanged: lines watched by id, lines changed alongside them, and a
// GROUP administrator's group (営業部, the first) against another group.
import { defineScenario } from "./scenario.ts";

export const realtimeScenario = defineScenario({
  account: {
    name: "通知株式会社",
    customerCode: "RT-0001",
    groups: ["営業部", "開発部", "総務部", "経理部"],
    lines: {
      // Watched by id.
      watched1: { group: "開発部" },
      watched2: { group: "開発部" },
      watched3: { group: "開発部" },
      // Changed in the same request, not watched.
      unwatched1: { group: "総務部" },
      unwatched2: { group: "総務部" },
      // GroupA@admin's group, and one out of their reach.
      sales: { group: "営業部" },
      accounting: { group: "経理部" },
    },
  },
});
