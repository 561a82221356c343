// featureAccess (R12, R13): what a device app shows for an action on a line,
// for the apps themselves and for MDM tools.
import { lineScope } from "../domain/auth/actor.ts";
import {
  type AppAction,
  type AppVariant,
  type FeatureAccessResult,
  featureAccess,
} from "../domain/rules/feature-access.ts";
import { fromDateOnly, jstDate } from "../domain/time.ts";
import { actorOf, builder } from "./builder.ts";

const AppVariantEnum = builder.enumType("AppVariant", {
  description: "Which device app asks (R13).",
  values: {
    FEATURE_PHONE_4G: {
      description: "The Anshin Backup app for 4G feature phones (あんしんバックアップ 4Gケータイ版).",
    },
    IPHONE: { description: "The Anshin Backup app for iPhone (あんしんバックアップ iPhone版)." },
    SMARTPHONE: { description: "The Anshin Backup app for Android (あんしんバックアップ スマートフォン版)." },
    WINDOWS10_MOBILE: { description: "The Contact Copy app for Windows 10 Mobile (連絡先コピー)." },
  } satisfies Record<AppVariant, { description: string }>,
});
const AppActionEnum = builder.enumType("AppAction", {
  description: "What the app is about to do (R12, R13).",
  values: {
    SAVE_TO_SERVER: { description: "Save to the carrier's server (バックアップ): the backup feature." },
    RESTORE_FROM_SERVER: { description: "Restore from the carrier's server (復元): the backup feature." },
    IMPORT_PHONEBOOK: {
      description: "Import the phonebook from the old phone (電話帳移行): the migration feature.",
    },
    SAVE_TO_LOCAL: { description: "Save to the SD card or the device: never controlled." },
    RESTORE_FROM_LOCAL: { description: "Restore from the SD card or the device: never controlled." },
  } satisfies Record<AppAction, { description: string }>,
});
const FeatureEnum = builder.enumType("Feature", {
  description: "The feature an action belongs to.",
  values: {
    BACKUP: { description: "The backup feature (バックアップ機能: save and restore together, R2)." },
    PHONEBOOK_MIGRATION: { description: "The phonebook migration feature (電話帳移行機能)." },
    NOT_CONTROLLED: { description: "Local save and restore: never controlled, always allowed." },
  },
});

const FeatureAccessRef = builder.objectRef<FeatureAccessResult>("FeatureAccess").implement({
  description: "What a device app shows for an action on a line (R12).",
  fields: (t) => ({
    allowed: t.exposeBoolean("allowed", { description: "True: the app performs the action." }),
    feature: t.field({
      type: FeatureEnum,
      description: "The feature the action belongs to.",
      resolve: (r) => r.feature,
    }),
    errorCode: t.string({
      nullable: true,
      description: "2105, RESTRICTED, MIGRATION_RESTRICTED or 2104; null when allowed.",
      resolve: (r) => r.errorCode,
    }),
    message: t.string({
      nullable: true,
      description: "What the app shows (exact Japanese).",
      resolve: (r) => r.message,
    }),
    menuItem: t.exposeString("menuItem", { description: "The app's menu item for the action (R13)." }),
  }),
});

builder.queryField("featureAccess", (t) =>
  t.field({
    type: FeatureAccessRef,
    authScopes: { scope: "CHECK_FEATURE_ACCESS" },
    description:
      "Whether an app may perform an action on a line. Unknown, cancelled or foreign lines answer 2105.",
    args: {
      phoneNumber: t.arg.string({
        required: true,
        description: "The line's phone number, as 090-1234-5678.",
      }),
      app: t.arg({ type: AppVariantEnum, required: true, description: "The app that asks." }),
      action: t.arg({ type: AppActionEnum, required: true, description: "The action the user chose." }),
    },
    resolve: async (_root, args, ctx) => {
      const line = await ctx.services.db.line.findFirst({
        where: { ...lineScope(actorOf(ctx)), phoneNumber: args.phoneNumber.trim() },
        select: {
          deviceKind: true,
          contractStatus: true,
          backup: true,
          phonebookMigration: true,
          upgradedFrom3gOn: true,
        },
      });
      const access = line
        ? { ...line, upgradedFrom3gOn: line.upgradedFrom3gOn ? fromDateOnly(line.upgradedFrom3gOn) : null }
        : null;
      return featureAccess(access, args.app, args.action, jstDate(ctx.services.clock.now()));
    },
  }),
);
