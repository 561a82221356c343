// The change feed: `lineChanges(after, first)` (services/change-feed.ts).
import { GraphQLError } from "graphql";
import { changeFeedMessages } from "../domain/messages.ts";
import { LineFeedKind } from "../prisma/generated/client/enums.ts";
import {
  DEFAULT_FEED_PAGE,
  DEFAULT_LINE_CHANGES_RETENTION_DAYS,
  type FeedChange,
  MAX_FEED_PAGE,
  readLineChanges,
} from "../services/change-feed.ts";
import { actorOf, builder } from "./builder.ts";
import { LineRef } from "./line.ts";

export const LineChangeKindEnum = builder.enumType(LineFeedKind, {
  name: "LineChangeKind",
  description: "What happened to a line (its latest change in the page of the change feed).",
  values: {
    LISTED: {
      description: "Newly listed (seeded lines are not; 手動更新 and the daily sync list new ones).",
    },
    UPDATED: {
      description:
        "Contract facts from the carrier changed, or the app-download mail was sent (依頼メール送信日時).",
    },
    STATUS_CHANGED: {
      description:
        "status changed: PROCESSING while a permission change is in flight, IN_SERVICE after it failed.",
    },
    FLAGS_CHANGED: {
      description: "A permission change was applied: backup / phonebookMigration and version.",
    },
    CANCELLED: { description: "The contract was cancelled (contractStatus CANCELLED, 解約済)." },
  },
});

const LineChangeRef = builder.objectRef<FeedChange>("LineChange").implement({
  description: "A line that changed, with its current state.",
  fields: (t) => ({
    line: t.field({
      type: LineRef,
      description: "The line as it is now (never older than the change; its version says how new).",
      resolve: (change) => change.line,
    }),
    kind: t.field({
      type: LineChangeKindEnum,
      description: "What its latest change in this page was.",
      resolve: (change) => change.kind,
    }),
    changedAt: t.field({
      type: "DateTime",
      description: "When that change was committed.",
      resolve: (change) => change.changedAt,
    }),
  }),
});

interface Feed {
  changes: FeedChange[];
  cursor: string;
  hasMore: boolean;
}

const LineChangeFeedRef = builder.objectRef<Feed>("LineChangeFeed").implement({
  description:
    "A page of the change feed. Store `cursor` and pass it as `after` next time; call again at once while `hasMore`.",
  fields: (t) => ({
    changes: t.field({
      type: [LineChangeRef],
      description:
        "Lines changed after `after`, in commit order, each once (at its latest change in the page); may be empty.",
      resolve: (feed) => feed.changes,
    }),
    cursor: t.exposeString("cursor", {
      description: "Where this page ends: pass it as `after` next time (also when nothing changed).",
    }),
    hasMore: t.exposeBoolean("hasMore", {
      description: "True when more changes follow `cursor` already: call again with it.",
    }),
  }),
});

builder.queryField("lineChanges", (t) =>
  t.field({
    type: LineChangeFeedRef,
    authScopes: { scope: "READ_LINES" },
    description: `Lines changed since a cursor, for MDM tools that keep a copy of the line list (README, "Change feed"). after: null answers no changes and the cursor of now. A cursor stays valid for LINE_CHANGES_RETENTION_DAYS (default ${DEFAULT_LINE_CHANGES_RETENTION_DAYS}) days; after that the error CURSOR_EXPIRED says to resync. A GROUP administrator sees the lines of their groups.`,
    args: {
      after: t.arg.string({
        description: "The cursor of the previous call; null: start from now.",
      }),
      first: t.arg.int({
        description: `Changes per page, at most ${MAX_FEED_PAGE} (default ${DEFAULT_FEED_PAGE}).`,
        defaultValue: DEFAULT_FEED_PAGE,
      }),
    },
    resolve: async (_root, args, ctx) => {
      const result = await readLineChanges(ctx.services.db, actorOf(ctx), {
        after: args.after ?? null,
        first: args.first ?? DEFAULT_FEED_PAGE,
      });
      if (result.ok) return result;
      if (result.code === "CURSOR_EXPIRED") {
        const retentionDays =
          ctx.services.settings.lineChangesRetentionDays ?? DEFAULT_LINE_CHANGES_RETENTION_DAYS;
        throw new GraphQLError(changeFeedMessages.CURSOR_EXPIRED, {
          extensions: {
            code: "CURSOR_EXPIRED",
            retentionDays,
            // The resync, in order (README, "Change feed"): no diffing needed.
            resync: [
              "lineChanges(after: null)",
              "lines (every page)",
              "lineChanges(after: <cursor of step 1>)",
            ],
          },
        });
      }
      throw new GraphQLError(changeFeedMessages.INVALID_CURSOR, {
        extensions: { code: "BAD_USER_INPUT", reason: "INVALID_CURSOR" },
      });
    },
  }),
);
