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
  values: ["FEATURE_PHONE_4G", "IPHONE", "SMARTPHONE", "WINDOWS10_MOBILE"] satisfies AppVariant[],
});
const AppActionEnum = builder.enumType("AppAction", {
  values: [
    "SAVE_TO_SERVER",
    "RESTORE_FROM_SERVER",
    "IMPORT_PHONEBOOK",
    "SAVE_TO_LOCAL",
    "RESTORE_FROM_LOCAL",
  ] satisfies AppAction[],
});
const FeatureEnum = builder.enumType("Feature", {
  values: ["BACKUP", "PHONEBOOK_MIGRATION", "NOT_CONTROLLED"] as const,
});

const FeatureAccessRef = builder.objectRef<FeatureAccessResult>("FeatureAccess").implement({
  fields: (t) => ({
    allowed: t.exposeBoolean("allowed"),
    feature: t.field({ type: FeatureEnum, resolve: (r) => r.feature }),
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
      phoneNumber: t.arg.string({ required: true }),
      app: t.arg({ type: AppVariantEnum, required: true }),
      action: t.arg({ type: AppActionEnum, required: true }),
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
