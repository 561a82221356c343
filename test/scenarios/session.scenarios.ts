// Sessions and their idle timeout: an account with its administrators and a line to read.
import { defineScenario } from "./scenario.ts";

export const sessionScenario = defineScenario({
  account: {
    name: "セッション株式会社",
    customerCode: "SESSION-0001",
    groups: ["営業部"],
    lines: {
      iphone: { deviceKind: "IPHONE" },
    },
  },
});
