// R19 retry of failed lines: lines of the GROUP administrator's group (営業部)
// and of another group (開発部), so that who may retry what can be told apart,
// and another account whose administrator must see none of it.
import { defineScenario } from "./scenario.ts";

export const retryScenario = defineScenario({
  account: {
    name: "再設定株式会社",
    customerCode: "RETRY-0001",
    groups: ["営業部", "開発部"],
    lines: {
      // Each test takes its own lines, so no test sees another's changes.
      allA: { group: "営業部" },
      allB: { group: "営業部", deviceKind: "SMARTPHONE" },
      allC: { group: "営業部" },
      allD: { group: "開発部", deviceKind: "WINDOWS10_MOBILE" },
      chosenA: { group: "開発部" },
      chosenB: { group: "開発部" },
      chosenC: { group: "開発部" },
      refusedA: { group: "開発部" },
      refusedB: { group: "開発部" },
      conflictA: { group: "開発部" },
      conflictB: { group: "開発部" },
      replayA: { group: "開発部" },
      replayB: { group: "開発部" },
      // The GROUP administrator's own batch, and a Manager's batch on 営業部 they did not make.
      groupA: { group: "営業部" },
      groupB: { group: "営業部" },
      managerOnly: { group: "営業部" },
      tokenA: { group: "開発部" },
      rulesA: { group: "開発部" },
      rulesB: { group: "開発部", sharedPhonebook: true },
      hoursA: { group: "開発部" },
    },
  },
  others: [
    {
      name: "サンプル商事",
      customerCode: "RETRY-0002",
      groups: ["総務部"],
      admins: [{ loginId: "Other@admin", name: "他社管理者", role: "MAIN" }],
      lines: { theirs: { group: "総務部" } },
    },
  ],
});
