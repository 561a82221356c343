// R16 Out-of-service lines: a 3G line (サービス対象外) is refused in any
// selection, with the manual's text and the line named; apps and MDM tools
// asking about it get exactly the answer for a line that does not exist.
import { describe, expect, it } from "vitest";
import { userErrorMessages } from "../../domain/messages.ts";
import {
  type AppAction,
  type AppVariant,
  featureAccess,
  type LineForAccess,
} from "../../domain/rules/feature-access.ts";
import { appDownloadMailPlan, passwordNoticePlan } from "../../domain/rules/mail.ts";
import { isOutOfService, selectionErrors } from "../../domain/rules/selection.ts";

const line = (id: string, deviceKind = "SMARTPHONE", contractStatus = "ACTIVE") => ({
  id,
  deviceKind,
  contractStatus,
});

describe("R16 out-of-service lines in a selection", () => {
  it("only 3G feature phones are out of service", () => {
    expect(isOutOfService("FEATURE_PHONE_3G")).toBe(true);
    for (const kind of ["FEATURE_PHONE_4G", "IPHONE", "SMARTPHONE", "WINDOWS10_MOBILE"]) {
      expect(isOutOfService(kind)).toBe(false);
    }
  });

  it("a 3G line among them: ご利用いただけない契約の対象者が選択されています。 naming the 3G lines", () => {
    expect(
      selectionErrors([line("a"), line("b", "FEATURE_PHONE_3G"), line("c", "FEATURE_PHONE_3G")]),
    ).toEqual([
      {
        code: "OUT_OF_SERVICE_LINE_SELECTED",
        message: "ご利用いただけない契約の対象者が選択されています。",
        lineIds: ["b", "c"],
      },
    ]);
  });

  it("keeps one text for cancelled and out-of-service lines, each error naming its own lines", () => {
    expect(userErrorMessages.OUT_OF_SERVICE_LINE_SELECTED).toBe(userErrorMessages.CANCELLED_LINE_SELECTED);
    expect(
      selectionErrors([line("a", "IPHONE", "CANCELLED"), line("b", "FEATURE_PHONE_3G")]).map((e) => [
        e.code,
        e.lineIds,
      ]),
    ).toEqual([
      ["CANCELLED_LINE_SELECTED", ["a"]],
      ["OUT_OF_SERVICE_LINE_SELECTED", ["b"]],
    ]);
  });

  it("mail plans no longer skip 3G lines: the selection refuses them before any plan", () => {
    const threeG = {
      deviceKind: "FEATURE_PHONE_3G",
      appPreinstalled: false,
      name: "x",
      phoneNumber: "x",
    } as const;
    expect(appDownloadMailPlan(threeG)).not.toMatchObject({ code: "OUT_OF_SERVICE" });
    expect(passwordNoticePlan(threeG)).not.toMatchObject({ code: "OUT_OF_SERVICE" });
  });
});

describe("R16 featureAccess for a 3G line answers exactly as for an unknown line", () => {
  const today = "2026-11-24";
  const apps: AppVariant[] = ["FEATURE_PHONE_4G", "IPHONE", "SMARTPHONE", "WINDOWS10_MOBILE"];
  const actions: AppAction[] = [
    "SAVE_TO_SERVER",
    "RESTORE_FROM_SERVER",
    "IMPORT_PHONEBOOK",
    "SAVE_TO_LOCAL",
    "RESTORE_FROM_LOCAL",
  ];
  // Both features allowed, so nothing but R16 could refuse it.
  const threeG: LineForAccess = {
    deviceKind: "FEATURE_PHONE_3G",
    contractStatus: "ACTIVE",
    backup: true,
    phonebookMigration: true,
    upgradedFrom3gOn: null,
  };
  for (const app of apps) {
    for (const action of actions) {
      it(`${app} ${action}`, () => {
        expect(featureAccess(threeG, app, action, today)).toEqual(featureAccess(null, app, action, today));
      });
    }
  }
});
