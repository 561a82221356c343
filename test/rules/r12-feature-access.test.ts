import { describe, expect, it } from "vitest";
import { type AppErrorCode, appErrorMessages } from "../../domain/messages.ts";
import {
  type AppAction,
  type AppVariant,
  type FeatureAccessResult,
  featureAccess,
  type LineForAccess,
} from "../../domain/rules/feature-access.ts";
import { addDays } from "../../domain/time.ts";

const today = "2026-11-24";
const APPS: AppVariant[] = ["FEATURE_PHONE_4G", "IPHONE", "SMARTPHONE", "WINDOWS10_MOBILE"];
const BACKUP_ACTIONS: AppAction[] = ["SAVE_TO_SERVER", "RESTORE_FROM_SERVER"];
const CONTROLLED_ACTIONS: AppAction[] = [...BACKUP_ACTIONS, "IMPORT_PHONEBOOK"];
const LOCAL_ACTIONS: AppAction[] = ["SAVE_TO_LOCAL", "RESTORE_FROM_LOCAL"];
const FLAGS = [
  { backup: false, phonebookMigration: false },
  { backup: false, phonebookMigration: true },
  { backup: true, phonebookMigration: false },
  { backup: true, phonebookMigration: true },
] as const;

const onOff = (flag: boolean) => (flag ? "on" : "off");

function line(overrides: Partial<LineForAccess> = {}): LineForAccess {
  return {
    deviceKind: "SMARTPHONE",
    contractStatus: "ACTIVE",
    backup: true,
    phonebookMigration: true,
    upgradedFrom3gOn: null,
    ...overrides,
  };
}

function denied(code: AppErrorCode) {
  return { allowed: false, errorCode: code, message: appErrorMessages[code] };
}
const allowed = { allowed: true, errorCode: null, message: null };

// The R12 table, written out: expected code per (backup, migration) flags and
// the feature the action belongs to. null = allowed.
const R12_TABLE: Record<string, { backupAction: AppErrorCode | null; migrationAction: AppErrorCode | null }> =
  {
    "backup off, migration off": { backupAction: "2105", migrationAction: "2105" },
    "backup off, migration on": { backupAction: "RESTRICTED", migrationAction: null },
    "backup on, migration off": { backupAction: null, migrationAction: "MIGRATION_RESTRICTED" },
    "backup on, migration on": { backupAction: null, migrationAction: null },
  };

// Same table for a 4G feature phone upgraded from a 3G phone 61 days ago,
// used in the 4G app: 2104 replaces "allowed" for migration only.
const R12_TABLE_4G_UPGRADE_EXPIRED: Record<string, AppErrorCode | null> = {
  "backup off, migration off": "2105",
  "backup off, migration on": "2104",
  "backup on, migration off": "MIGRATION_RESTRICTED",
  "backup on, migration on": "2104",
};

const cells = APPS.flatMap((app) =>
  CONTROLLED_ACTIONS.flatMap((action) =>
    FLAGS.map((flags) => {
      const key = `backup ${onOff(flags.backup)}, migration ${onOff(flags.phonebookMigration)}`;
      const row = R12_TABLE[key]!;
      const isMigration = action === "IMPORT_PHONEBOOK";
      return {
        app,
        action,
        flags,
        key,
        feature: isMigration ? "PHONEBOOK_MIGRATION" : "BACKUP",
        expected: isMigration ? row.migrationAction : row.backupAction,
      };
    }),
  ),
);

const outcome = (code: AppErrorCode | null) => code ?? "allowed";

function expectOutcome(result: FeatureAccessResult, code: AppErrorCode | null) {
  expect(result).toMatchObject(code === null ? allowed : denied(code));
}

describe("R12 app-side enforcement", () => {
  it("covers every app × controlled action × flag combination", () => {
    expect(cells).toHaveLength(4 * 3 * 4);
  });

  for (const { app, action, flags, key, feature, expected } of cells) {
    it(`${app} ${action} with ${key} → ${outcome(expected)}`, () => {
      const result = featureAccess(line({ deviceKind: app, ...flags }), app, action, today);
      expectOutcome(result, expected);
      expect(result.feature).toBe(feature);
    });
  }

  it("shows the manual's exact Japanese texts", () => {
    const off = line({ backup: false, phonebookMigration: false });
    expect(featureAccess(off, "IPHONE", "SAVE_TO_SERVER", today).message).toBe(
      "お使いの回線契約をご確認ください。2105",
    );
    expect(featureAccess(line({ backup: false }), "SMARTPHONE", "RESTORE_FROM_SERVER", today).message).toBe(
      "管理者によりご利用を制限されています。",
    );
    expect(
      featureAccess(line({ phonebookMigration: false }), "WINDOWS10_MOBILE", "IMPORT_PHONEBOOK", today)
        .message,
    ).toBe("電話帳ダウンロードを中止しました。管理者によりご利用を制限されています。");
    const upgraded = line({ deviceKind: "FEATURE_PHONE_4G", upgradedFrom3gOn: addDays(today, -61) });
    expect(featureAccess(upgraded, "FEATURE_PHONE_4G", "IMPORT_PHONEBOOK", today).message).toBe(
      "本機能は、機種変更をおこなってから60日間だけ使える機能です。お客様のご利用可能期間がすでに終了したためご利用できません。(エラーコード2104)",
    );
  });

  describe("4G feature-phone app, migration, after an upgrade from a 3G phone (2104)", () => {
    const upgradedOn = (daysAgo: number) =>
      line({ deviceKind: "FEATURE_PHONE_4G", upgradedFrom3gOn: addDays(today, -daysAgo) });

    it("is still allowed exactly 60 days after the upgrade", () => {
      expect(upgradedOn(60).upgradedFrom3gOn).toBe("2026-09-25");
      expectOutcome(featureAccess(upgradedOn(60), "FEATURE_PHONE_4G", "IMPORT_PHONEBOOK", today), null);
      expectOutcome(featureAccess(upgradedOn(0), "FEATURE_PHONE_4G", "IMPORT_PHONEBOOK", today), null);
    });

    it("is refused with 2104 more than 60 days after the upgrade (61 days)", () => {
      expect(upgradedOn(61).upgradedFrom3gOn).toBe("2026-09-24");
      expectOutcome(featureAccess(upgradedOn(61), "FEATURE_PHONE_4G", "IMPORT_PHONEBOOK", today), "2104");
      expectOutcome(featureAccess(upgradedOn(400), "FEATURE_PHONE_4G", "IMPORT_PHONEBOOK", today), "2104");
    });

    for (const flags of FLAGS) {
      const key = `backup ${onOff(flags.backup)}, migration ${onOff(flags.phonebookMigration)}`;
      const expected = R12_TABLE_4G_UPGRADE_EXPIRED[key]!;
      it(`61 days after, with ${key} → ${outcome(expected)} (administrator restrictions come first)`, () => {
        const upgraded = { ...upgradedOn(61), ...flags };
        expectOutcome(featureAccess(upgraded, "FEATURE_PHONE_4G", "IMPORT_PHONEBOOK", today), expected);
      });
    }

    it("does not affect the backup feature of the 4G app", () => {
      for (const action of BACKUP_ACTIONS) {
        expectOutcome(featureAccess(upgradedOn(61), "FEATURE_PHONE_4G", action, today), null);
      }
    });

    it("applies only to the 4G feature-phone app", () => {
      for (const app of APPS.filter((a) => a !== "FEATURE_PHONE_4G")) {
        expectOutcome(featureAccess(upgradedOn(61), app, "IMPORT_PHONEBOOK", today), null);
      }
    });

    it("does not apply to a line never upgraded from a 3G phone", () => {
      const never = line({ deviceKind: "FEATURE_PHONE_4G", upgradedFrom3gOn: null });
      expectOutcome(featureAccess(never, "FEATURE_PHONE_4G", "IMPORT_PHONEBOOK", today), null);
    });
  });

  describe("SD-card / on-device save and restore are never controlled", () => {
    const lines: [string, LineForAccess | null][] = [
      ...FLAGS.map((flags): [string, LineForAccess] => [
        `backup ${onOff(flags.backup)}, migration ${onOff(flags.phonebookMigration)}`,
        line(flags),
      ]),
      ["an unknown line", null],
      ["a cancelled line", line({ contractStatus: "CANCELLED", backup: false, phonebookMigration: false })],
      ["a 3G line", line({ deviceKind: "FEATURE_PHONE_3G" })],
      ["a 4G line 61 days after its 3G upgrade", line({ upgradedFrom3gOn: addDays(today, -61) })],
    ];
    const localCells = APPS.flatMap((app) =>
      LOCAL_ACTIONS.flatMap((action) => lines.map(([label, l]) => ({ app, action, label, l }))),
    );

    for (const { app, action, label, l } of localCells) {
      it(`${app} ${action} for ${label} → allowed`, () => {
        const result = featureAccess(l, app, action, today);
        expect(result).toMatchObject({ ...allowed, feature: "NOT_CONTROLLED" });
      });
    }
  });

  describe("cancelled or unknown line → 2105", () => {
    const everyControlled = APPS.flatMap((app) => CONTROLLED_ACTIONS.map((action) => ({ app, action })));

    const cases: [string, LineForAccess | null][] = [
      ["unknown line", null],
      ["cancelled line with both features on", line({ contractStatus: "CANCELLED" })],
      ["3G line (out of service) with both features on", line({ deviceKind: "FEATURE_PHONE_3G" })],
    ];
    for (const [label, l] of cases) {
      for (const { app, action } of everyControlled) {
        it(`${label}, ${app} ${action} → 2105`, () => {
          expectOutcome(featureAccess(l, app, action, today), "2105");
        });
      }
    }

    it("reports the feature of the action even for an unknown line", () => {
      expect(featureAccess(null, "IPHONE", "IMPORT_PHONEBOOK", today).feature).toBe("PHONEBOOK_MIGRATION");
      expect(featureAccess(null, "IPHONE", "SAVE_TO_SERVER", today).feature).toBe("BACKUP");
    });
  });
});

describe("R13 which menu item is which feature", () => {
  const LABELS: Record<AppVariant, Record<AppAction, string>> = {
    FEATURE_PHONE_4G: {
      SAVE_TO_SERVER: "サーバーにデータを保存",
      RESTORE_FROM_SERVER: "サーバーからデータを復元",
      IMPORT_PHONEBOOK: "電話帳の移行",
      SAVE_TO_LOCAL: "SDカードにデータを保存",
      RESTORE_FROM_LOCAL: "SDカードからデータを復元",
    },
    IPHONE: {
      SAVE_TO_SERVER: "電話帳の保存(バックアップ)",
      RESTORE_FROM_SERVER: "電話帳の読み込み(復元)",
      IMPORT_PHONEBOOK: "携帯電話から電話帳読み込み",
      SAVE_TO_LOCAL: "SDカード／端末にデータを保存",
      RESTORE_FROM_LOCAL: "SDカード／端末からデータを復元",
    },
    SMARTPHONE: {
      SAVE_TO_SERVER: "保存先「サーバー」",
      RESTORE_FROM_SERVER: "読み込み元「サーバー」",
      IMPORT_PHONEBOOK: "電話帳読み込み",
      SAVE_TO_LOCAL: "保存先「本体」(または「SDカード」)",
      RESTORE_FROM_LOCAL: "読み込み元「本体」(または「SDカード」)",
    },
    WINDOWS10_MOBILE: {
      SAVE_TO_SERVER: "データの保存(バックアップ)",
      RESTORE_FROM_SERVER: "データの読み込み(復元)",
      IMPORT_PHONEBOOK: "携帯電話から連絡先読み込み",
      SAVE_TO_LOCAL: "SDカード／端末にデータを保存",
      RESTORE_FROM_LOCAL: "SDカード／端末からデータを復元",
    },
  };
  const FEATURES: Record<AppAction, string> = {
    SAVE_TO_SERVER: "BACKUP",
    RESTORE_FROM_SERVER: "BACKUP",
    IMPORT_PHONEBOOK: "PHONEBOOK_MIGRATION",
    SAVE_TO_LOCAL: "NOT_CONTROLLED",
    RESTORE_FROM_LOCAL: "NOT_CONTROLLED",
  };
  const labelCells = APPS.flatMap((app) =>
    (Object.keys(FEATURES) as AppAction[]).map((action) => ({
      app,
      action,
      menuItem: LABELS[app][action],
      feature: FEATURES[action],
    })),
  );

  for (const { app, action, menuItem, feature } of labelCells) {
    it(`${app}: ${action} is 「${menuItem}」 (${feature})`, () => {
      for (const l of [line(), null, line({ backup: false, phonebookMigration: false })]) {
        expect(featureAccess(l, app, action, today)).toMatchObject({ menuItem, feature });
      }
    });
  }
});
