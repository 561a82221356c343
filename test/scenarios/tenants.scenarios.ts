// SPEC §2 tenant isolation and GROUP administrator scoping: the acting account
// (自社株式会社) with two groups, a GROUP administrator of the first one, and
// another account (他社商事) whose data must stay out of reach.
import { defineScenario, type ScenarioAccount } from "./scenario.ts";

/** The other account: writeScenario does not return its data, so its lines' phone numbers are spelled out. */
export const otherAccount = {
  name: "他社商事",
  customerCode: "TENANT-0002",
  groups: ["本社", "大阪支店"],
  // Login ids are unique across accounts: not the acting account's defaults.
  admins: [{ loginId: "Other@admin", name: "他社管理者", role: "MAIN" }],
  lines: {
    head: { group: "本社", phoneNumber: "080-5555-0001" },
    osaka: { group: "大阪支店", phoneNumber: "080-5555-0002" },
  },
} satisfies ScenarioAccount<"head" | "osaka">;

export const tenantsScenario = defineScenario({
  account: {
    name: "自社株式会社",
    customerCode: "TENANT-0001",
    groups: ["営業部", "開発部"],
    admins: [
      { loginId: "Manager@admin", name: "管理者", role: "MAIN" },
      { loginId: "Substitute@admin", name: "代理管理者(サブ管理者)", role: "SUB" },
      // Sees 営業部 only: not 開発部, not the lines in no group.
      { loginId: "GroupA@admin", name: "グループ管理者A", role: "GROUP", groupNames: ["営業部"] },
    ],
    lines: {
      sales: { group: "営業部" },
      salesColleague: { group: "営業部" },
      // Outside GroupA@admin's groups. Contracted after 2017-05-10, so by R1
      // backup is off and migration on: a backup action answers RESTRICTED.
      development: { group: "開発部", deviceKind: "IPHONE", contractedOn: "2018-04-01" },
      // In no group: outside every GROUP administrator's reach.
      ungrouped: { group: null },
    },
  },
  others: [otherAccount],
});
