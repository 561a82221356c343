// Webhooks: a few lines in two groups; batches go through permission changes.
import { defineScenario } from "./scenario.ts";

export const webhooksScenario = defineScenario({
  account: {
    name: "通知株式会社",
    customerCode: "HOOK-0001",
    groups: ["営業部", "開発部"],
    lines: {
      sales1: {},
      sales2: {},
      sales3: {},
      dev1: { group: "開発部" },
      dev2: { group: "開発部" },
    },
  },
});
