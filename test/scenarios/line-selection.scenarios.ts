// 「CSVで選択」 (resolveLineSelection): a line for each answer a row can get,
// 205 more to pass R3's 200, and another account whose numbers must read as
// unknown. GroupA@admin (default admins) sees 営業部 only.
import { defineScenario, type ScenarioLine } from "./scenario.ts";

type Digit = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
/** Names bulk000 … bulk204 (the type allows up to bulk299). */
type Bulk = `bulk${0 | 1 | 2}${Digit}${Digit}`;

/** bulk000 … bulk204 in 営業部: 205 selectable lines, five past R3's 200. */
const bulk = Object.fromEntries(
  Array.from({ length: 205 }, (_, i) => [
    `bulk${String(i).padStart(3, "0")}`,
    { phoneNumber: `080-2000-${String(i).padStart(4, "0")}` } satisfies ScenarioLine,
  ]),
) as Record<Bulk, ScenarioLine>;

/** The other account's one line: no caller of the acting account may resolve it. */
export const OTHER_ACCOUNTS_NUMBER = "070-3333-0001";

export const lineSelectionScenario = defineScenario({
  account: {
    name: "CSV選択株式会社",
    customerCode: "CSV-0001",
    groups: ["営業部", "開発部"],
    lines: {
      sales: { phoneNumber: "090-1111-0001" },
      salesAndroid: { phoneNumber: "090-1111-0002", deviceKind: "SMARTPHONE" },
      developer: { phoneNumber: "090-2222-0001", group: "開発部" },
      cancelled: { phoneNumber: "090-1111-0003", contractStatus: "CANCELLED" },
      threeG: { phoneNumber: "090-1111-0004", deviceKind: "FEATURE_PHONE_3G" },
      ...bulk,
    },
  },
  others: [
    {
      name: "他社商事",
      customerCode: "OTHER-0001",
      groups: ["本社"],
      admins: [{ loginId: "Other@admin", name: "他社 管理者", role: "MAIN" }],
      lines: { otherAccountsLine: { phoneNumber: OTHER_ACCOUNTS_NUMBER } },
    },
  ],
});
