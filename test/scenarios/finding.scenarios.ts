// Finding things (issue 17 §6): named people to search for as administrators
// type them (山田 in kanji, ヤマダ in the kana column), one line of every
// device kind, lines in no group, and a crowd of lines whose names, groups and
// kinds repeat, so every sort order has ties to break across page boundaries.
import type { DeviceKind } from "../../prisma/generated/client/enums.ts";
import { defineScenario, type ScenarioLine } from "./scenario.ts";

const GROUPS = ["営業部", "開発部", "総務部"] as const;
const KINDS: DeviceKind[] = ["IPHONE", "SMARTPHONE", "FEATURE_PHONE_4G", "WINDOWS10_MOBILE"];
const PEOPLE = [
  ["佐藤 健太", "サトウ ケンタ", "東京支社"],
  ["鈴木 陽菜", "スズキ ヒナ", "大阪支社"],
  ["田中 誠", "タナカ マコト", "東京支社"],
] as const;

type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
/** crowd00 … crowd29. */
type CrowdLine = `crowd${"0" | "1" | "2"}${Digit}`;

/** 30 lines: names, kana, affiliations, groups (and none) and device kinds repeat. */
const crowd = Object.fromEntries(
  Array.from({ length: 30 }, (_, i) => {
    const [name, nameKana, affiliation] = PEOPLE[i % PEOPLE.length]!;
    return [
      `crowd${String(i).padStart(2, "0")}`,
      {
        phoneNumber: `080-5555-${String(1000 + i * 7).padStart(4, "0")}`,
        name,
        nameKana,
        affiliation,
        group: i % 4 === 3 ? null : GROUPS[i % GROUPS.length]!,
        deviceKind: KINDS[i % KINDS.length]!,
      },
    ];
  }),
) as Record<CrowdLine, ScenarioLine>;

export const findingScenario = defineScenario({
  account: {
    name: "検索株式会社",
    customerCode: "FIND-0001",
    groups: GROUPS,
    lines: {
      yamadaTaro: {
        phoneNumber: "090-1234-5678",
        name: "山田 太郎",
        nameKana: "ヤマダ タロウ",
        affiliation: "営業本部",
        group: "営業部",
        deviceKind: "IPHONE",
      },
      yamadaHanako: {
        phoneNumber: "090-8765-4321",
        name: "山田 花子",
        nameKana: "ヤマダ ハナコ",
        affiliation: "開発本部",
        group: "開発部",
        deviceKind: "SMARTPHONE",
      },
      satoIchiro: {
        phoneNumber: "070-1111-2222",
        name: "佐藤 一郎",
        nameKana: "サトウ イチロウ",
        affiliation: "総務本部",
        group: "総務部",
        deviceKind: "FEATURE_PHONE_4G",
      },
      kimuraAi: {
        phoneNumber: "070-3333-4444",
        name: "木村 愛",
        nameKana: "キムラ アイ",
        affiliation: "本社",
        group: null,
        deviceKind: "WINDOWS10_MOBILE",
      },
      old3g: {
        phoneNumber: "070-5555-6666",
        name: "井上 直樹",
        nameKana: "イノウエ ナオキ",
        group: "総務部",
        deviceKind: "FEATURE_PHONE_3G",
      },
      cancelled: {
        phoneNumber: "070-7777-8888",
        name: "林 彩",
        nameKana: "ハヤシ アヤ",
        group: "営業部",
        contractStatus: "CANCELLED",
      },
      ...crowd,
    },
  },
  others: [
    {
      name: "他社株式会社",
      customerCode: "FIND-9999",
      groups: ["営業部"],
      admins: [{ loginId: "Other@admin", name: "他社管理者", role: "MAIN" }],
      lines: {
        foreignYamada: { phoneNumber: "090-1234-0000", name: "山田 次郎", nameKana: "ヤマダ ジロウ" },
      },
    },
  ],
});

/** A line of the scenario by name: the named people, and crowd00 … crowd29. */
export type FindingLine = keyof typeof findingScenario.account.lines;
