// Submitting permission changes and mails (R3–R7, R14, R16, R17). Lines not
// given a group land in the account's first group, 営業部 (GroupA@admin's):
// every other line names its group.
import { MAX_LINES_PER_REQUEST } from "../../domain/rules/selection.ts";
import { defineScenario, type ScenarioLine } from "./scenario.ts";

/** `count` alike lines named `<prefix>000`, `<prefix>001`, … */
function numbered<P extends string>(prefix: P, count: number, line: ScenarioLine) {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`${prefix}${String(i).padStart(3, "0")}`, line]),
  ) as Record<`${P}${number}`, ScenarioLine>;
}

/** The names of `numbered(prefix, count)`'s lines, in order. */
function numberedNames<P extends string>(prefix: P, count: number) {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, "0")}` as `${P}${number}`);
}

/** As many lines as one request may hold (R3: 200); one more line makes the 201st. */
export const bulkNames = numberedNames("bulk", MAX_LINES_PER_REQUEST);
/** The lines two administrators race for (R5). */
export const racingNames = numberedNames("racing", 10);

const namedLines = {
  // 営業部: expanded as a group (R6); all GroupA@admin reaches.
  sales1: {},
  sales2: {},
  sales3: {},
  // Outside GroupA@admin's groups.
  developer: { group: "開発部" },
  // Retried with its idempotency key.
  retried: { group: "開発部" },
  // Sent with a version older than its own (R5).
  stale: { group: "開発部" },
  // R14: allowing migration on these deserves a caution.
  sharedPhonebook1: { group: "開発部", sharedPhonebook: true },
  sharedPhonebook2: { group: "開発部", sharedPhonebook: true },
  // R16: makes 物流部 a group that cannot be selected.
  featurePhone3g: { group: "物流部", deviceKind: "FEATURE_PHONE_3G" },
  cancelled: { group: "開発部", contractStatus: "CANCELLED" },
} satisfies Record<string, ScenarioLine>;

// Object.assign, not a spread, keeps the generated names (`bulk${number}`) in the lines' type.
const receiptLines = Object.assign(
  {},
  namedLines,
  numbered("racing", racingNames.length, { group: "開発部" }),
  numbered("bulk", bulkNames.length, { group: "開発部" }),
);

export const receiptsScenario = defineScenario({
  account: {
    name: "受付株式会社",
    customerCode: "RCPT-0001",
    groups: ["営業部", "開発部", "物流部"],
    lines: receiptLines,
  },
});

// R17: each test's lines are its own, so no line is in flight twice (a CONFLICT);
// all iPhones (the default), which every kind of request, mails included, can take.
export const idempotencyScenario = defineScenario({
  account: {
    name: "再送株式会社",
    customerCode: "IDEM-0001",
    groups: ["営業部", "開発部"],
    lines: {
      // 営業部: GroupA@admin's own line.
      sales: {},
      // The rest are in 開発部, out of GroupA@admin's reach.
      reordered1: { group: "開発部" },
      reordered2: { group: "開発部" },
      keyReused: { group: "開発部" },
      // The other line of a refused other request.
      another: { group: "開発部" },
      // The Manager's keyed request whose key other callers send.
      managerLine: { group: "開発部" },
      apiLine: { group: "開発部" },
      // Sent with keys out of bounds, then with a 200-character key.
      longKey: { group: "開発部" },
    },
  },
});
