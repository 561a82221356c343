// R18 conflicts between 確認 and 決定: each test changes lines of its own
// group, so the tests stay apart; 人事部's members change in between.
import { defineScenario } from "./scenario.ts";

export const conflictsScenario = defineScenario({
  account: {
    name: "権限変更株式会社",
    customerCode: "PERM-0001",
    groups: ["総務部", "開発部", "人事部", "経理部"],
    lines: {
      // Previewed as a group, next to `alone`.
      generalAffairs1: { group: "総務部" },
      generalAffairs2: { group: "総務部" },
      alone: { group: "開発部" },
      // Per-line versions: one changes after 確認, the other does not.
      changedAfterPreview: { group: "開発部" },
      untouched: { group: "開発部" },
      // The previewToken alone.
      changedAfterToken: { group: "開発部" },
      // A group whose members change after 確認: one changes, one leaves, `joining` joins.
      changedMember: { group: "人事部" },
      leavingMember: { group: "人事部" },
      joining: { group: null },
      // Forged and mismatched tokens.
      forged: { group: "経理部" },
      tokenLine: { group: "経理部" },
      otherTokenLine: { group: "経理部" },
    },
  },
});
