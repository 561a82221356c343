// resolveLineSelection: 「CSVで選択」 through the API, so an MDM tool turns its
// inventory's phone numbers into line ids without paging through `lines`.

import { queryFromInfo } from "@pothos/plugin-prisma";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { z } from "zod";
import { MAX_LINES_PER_REQUEST } from "../domain/rules/selection.ts";
import type { Line } from "../prisma/generated/client/client.ts";
import {
  type LineQuery,
  type lineSelectionStatuses,
  MAX_SELECTION_ROWS,
  type ResolvedSelectionRow,
  resolveLineSelection,
} from "../services/line-selection.ts";
import { actorOf, builder } from "./builder.ts";
import { LineRef } from "./line.ts";

const LineSelectionStatusEnum = builder.enumType("LineSelectionStatus", {
  description: "What a row of resolveLineSelection selects, or why it selects nothing.",
  values: {
    SELECTED: { description: "The row's line is selectable and within the first 200." },
    NOT_FOUND: {
      description:
        "No line the caller may see has this number: unknown, not listed yet (R8), another account's, or outside a GROUP administrator's groups, alike.",
    },
    INVALID_PHONE_NUMBER: { description: "The text is no mobile phone number (11 digits)." },
    CANCELLED: { description: "The line is cancelled (解約済); R3's text." },
    OUT_OF_SERVICE: { description: "A 3G line (サービス対象外, R16); R3's text." },
    DUPLICATE: { description: "An earlier row has the same number (as normalized); that row decides it." },
    TOO_MANY_LINES: {
      description: `A selectable line past the first ${MAX_LINES_PER_REQUEST} (R3's text); rows that select nothing do not count.`,
    },
  } satisfies Record<(typeof lineSelectionStatuses)[number], { description: string }>,
});

const LineSelectionRowInput = builder.inputType("LineSelectionRowInput", {
  description:
    "One row of a selection: a phone number and, for 利用可否設定, its targets (handed back as given).",
  fields: (t) => ({
    phoneNumber: t.string({
      required: true,
      description: "With or without hyphens, full-width digits, +81, or without Excel's lost leading zero.",
    }),
    backup: t.boolean({ description: "バックアップ機能 target for this line; null keeps the line's." }),
    phonebookMigration: t.boolean({
      description: "電話帳移行機能 target for this line; null keeps the line's.",
    }),
  }),
});

const ONE_OF_MESSAGE = "Pass either phoneNumbers or rows (exactly one of them).";

const ResolveLineSelectionInput = builder.inputType("ResolveLineSelectionInput", {
  description: `Exactly one of phoneNumbers and rows, at most ${MAX_SELECTION_ROWS.toLocaleString("en")} of them (schema/input-bounds.ts).`,
  fields: (t) => ({
    phoneNumbers: t.stringList({ description: "The numbers, one per row, in order." }),
    rows: t.field({
      type: [LineSelectionRowInput],
      description: "The numbers with per-row targets (a CSV with バックアップ機能 / 電話帳移行機能 columns).",
    }),
  }),
  validate: z
    .object({ phoneNumbers: z.array(z.string()).nullish(), rows: z.array(z.unknown()).nullish() })
    .refine((input) => (input.phoneNumbers == null) !== (input.rows == null), { message: ONE_OF_MESSAGE }),
});

const LineSelectionRowRef = builder.objectRef<ResolvedSelectionRow>("LineSelectionRow").implement({
  description: "One input row, resolved.",
  fields: (t) => ({
    index: t.exposeInt("index", { description: "The row's position in the input, from 0." }),
    phoneNumber: t.exposeString("phoneNumber", { description: "As given." }),
    normalizedPhoneNumber: t.exposeString("normalizedPhoneNumber", {
      nullable: true,
      description: "As lines store it (090-1234-5678); null when the text is no phone number.",
    }),
    line: t.field({
      type: LineRef,
      nullable: true,
      description:
        "The line the number names, when the caller may see it: also for CANCELLED, OUT_OF_SERVICE, DUPLICATE and TOO_MANY_LINES rows.",
      resolve: (row) => row.line as Line | null,
    }),
    status: t.field({
      type: LineSelectionStatusEnum,
      description: "SELECTED, or why the row selects nothing.",
      resolve: (row) => row.status,
    }),
    selected: t.boolean({
      description: "status is SELECTED.",
      resolve: (row) => row.status === "SELECTED",
    }),
    message: t.exposeString("message", {
      nullable: true,
      description:
        "Why the row selects nothing, in the screen's exact Japanese (R3's texts for CANCELLED, OUT_OF_SERVICE and TOO_MANY_LINES); null when selected.",
    }),
    backup: t.exposeBoolean("backup", { nullable: true, description: "The row's backup target, as given." }),
    phonebookMigration: t.exposeBoolean("phonebookMigration", {
      nullable: true,
      description: "The row's migration target, as given.",
    }),
  }),
});

const LineSelectionRef = builder.objectRef<{ rows: ResolvedSelectionRow[] }>("LineSelection").implement({
  description: "resolveLineSelection's answer: every input row in order, and the lines selected.",
  fields: (t) => ({
    rows: t.field({
      type: [LineSelectionRowRef],
      description: "One per input row, in input order.",
      resolve: (s) => s.rows,
    }),
    selectedLineIds: t.idList({
      description: `The SELECTED rows' lines, in row order (at most ${MAX_LINES_PER_REQUEST}): the lineIds of sendAppDownloadMail, sendPasswordNotice or submitPermissionChange.`,
      resolve: (s) =>
        s.rows.flatMap((row) =>
          row.status === "SELECTED" && row.line ? [encodeGlobalID("Line", row.line.id)] : [],
        ),
    }),
    selectedCount: t.int({
      description: "Rows that are SELECTED.",
      resolve: (s) => s.rows.filter((row) => row.status === "SELECTED").length,
    }),
    notSelectedCount: t.int({
      description: "Rows that select nothing (any other status).",
      resolve: (s) => s.rows.filter((row) => row.status !== "SELECTED").length,
    }),
  }),
});

builder.queryField("resolveLineSelection", (t) =>
  t.field({
    type: LineSelectionRef,
    authScopes: { scope: "READ_LINES" },
    description: `「CSVで選択」: phone numbers (a CSV column) resolved to the lines the caller may select, one answer per row in order: SELECTED, or NOT_FOUND, INVALID_PHONE_NUMBER, CANCELLED, OUT_OF_SERVICE (R16), DUPLICATE, TOO_MANY_LINES (past R3's ${MAX_LINES_PER_REQUEST}, reported per row, not refused), with the screen's texts. At most ${MAX_SELECTION_ROWS.toLocaleString("en")} rows. Only lines the caller may see (a GROUP administrator's groups); any other number is NOT_FOUND. A read: submit the selectedLineIds as usual.`,
    args: {
      input: t.arg({
        type: ResolveLineSelectionInput,
        required: true,
        description: "The CSV's phone numbers, or rows with their targets.",
      }),
    },
    resolve: async (_root, { input }, ctx, info) => {
      const rows = input.rows ?? (input.phoneNumbers ?? []).map((phoneNumber) => ({ phoneNumber }));
      // The rows' lines are read once, with what the document selects under rows.line.
      const query = queryFromInfo({
        context: ctx,
        info,
        typeName: "Line",
        path: ["rows", "line"],
      }) as LineQuery;
      return { rows: await resolveLineSelection(ctx.services.db, actorOf(ctx), rows, query) };
    },
  }),
);
