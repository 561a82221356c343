// R9–R11: one line of each device kind the mail rules tell apart.
import { defineScenario } from "./scenario.ts";

export const mailScenario = defineScenario({
  account: {
    name: "メール株式会社",
    customerCode: "MAIL-0001",
    groups: ["営業部"],
    lines: {
      iphone: { deviceKind: "IPHONE" },
      android: { deviceKind: "SMARTPHONE" },
      windows: { deviceKind: "WINDOWS10_MOBILE" },
      featurePhone: { deviceKind: "FEATURE_PHONE_4G" },
      otherFeaturePhone: { deviceKind: "FEATURE_PHONE_4G" },
      preinstalledAndroid: { deviceKind: "SMARTPHONE", appPreinstalled: true },
      cancelled: { contractStatus: "CANCELLED" },
      // For the SMTP refusal and resend.
      refusedIphone: { deviceKind: "IPHONE" },
      acceptedIphone: { deviceKind: "IPHONE" },
    },
  },
});
