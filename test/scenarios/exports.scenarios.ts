// CSV出力: lines whose cells show each way a screen writes a line (サービス中,
// 処理中, 解約済, サービス対象外, ON/OFF, no group), text a CSV must quote or
// defuse (a comma and quotes, a leading =), and characters Shift_JIS holds
// only in Windows-31J (髙, ①), spells otherwise (〜) or not at all (𠮷);
// the GROUP administrator's group (営業部) and another (開発部); and another
// account whose data no export may show.
import { defineScenario } from "./scenario.ts";

export const exportsScenario = defineScenario({
  account: {
    name: "出力株式会社",
    customerCode: "EXPORT-0001",
    groups: ["営業部", "開発部"],
    lines: {
      yamada: { group: "営業部", name: "山田 太郎", nameKana: "ヤマダ タロウ", affiliation: "営業一課" },
      // Contracted before 2017-05-10: both features off by default (R1).
      quoted: {
        group: "営業部",
        name: '佐藤, "花子"',
        nameKana: "サトウ ハナコ",
        affiliation: "営業二課",
        contractedOn: "2016-04-01",
      },
      formula: { group: "営業部", name: "=1+2", nameKana: "イコール", affiliation: "+営業" },
      takahashi: {
        group: "開発部",
        name: "髙橋 一郎①",
        nameKana: "タカハシ イチロウ",
        affiliation: "開発〜第1",
        deviceKind: "SMARTPHONE",
      },
      yoshida: {
        group: "開発部",
        name: "𠮷田 次郎",
        nameKana: "ヨシダ ジロウ",
        affiliation: "開発第2",
        deviceKind: "WINDOWS10_MOBILE",
      },
      cancelled: { group: "開発部", name: "解約 済子", contractStatus: "CANCELLED" },
      threeG: { group: "開発部", name: "旧型 三郎", deviceKind: "FEATURE_PHONE_3G" },
      ungrouped: { group: null, name: "無所属 四郎", affiliation: "本社" },
    },
  },
  others: [
    {
      name: "サンプル商事",
      customerCode: "EXPORT-0002",
      groups: ["総務部"],
      admins: [{ loginId: "Other@admin", name: "他社管理者", role: "MAIN" }],
      lines: { theirs: { group: "総務部", name: "他社 五郎" } },
    },
  ],
});
