// npm run schema:check — the contract never breaks silently (issue 18).
//
// Compares schema.graphql of the working tree (the printed schema; the test
// test/schema/schema-file.test.ts keeps it equal to what the server builds)
// with schema.graphql of the previous commit (HEAD~1: on main, the commit
// before this one) using @graphql-inspector/core's diff, and fails when:
//
//   1. a change is BREAKING and the commit message (git log -1 --format=%B)
//      has no line
//          Breaking-Change: intended — <reason>
//      ("-", "–" or ":" may stand for the dash; the reason may not be empty).
//      Several breaking changes in one commit need one marker line.
//   2. a field, input field or enum value is removed that was not @deprecated
//      in the previous schema. The marker does not excuse this: removed and
//      renamed fields go through @deprecated first (one commit deprecates and
//      adds the new name, a later one removes the old name, with the marker).
//
// Dangerous changes (e.g. a new enum value) are listed, never fatal.
// Without a previous commit (first commit, or a shallow clone that lacks
// HEAD~1), or when HEAD~1 has no schema.graphql, the check is skipped with a
// message. A clean clone of main has full history, so CI always compares;
// under CI (CI set) a shallow clone first fetches the parent (--deepen=1).
//
// Options (for local use): --base <rev> compares with another commit (e.g.
// origin/main); --message <text> checks a commit message not yet written.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Change, CriticalityLevel, diff } from "@graphql-inspector/core";
import {
  buildSchema,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
} from "graphql";

/** The marker line that makes a commit's breaking changes intended. */
export const BREAKING_CHANGE_MARKER = /^Breaking-Change:\s*intended\s*[—–:-]\s*\S.*$/m;

export interface SchemaCheckResult {
  ok: boolean;
  breaking: Change[];
  dangerous: Change[];
  safe: Change[];
  /** Removed fields, input fields and enum values that were not deprecated before (coordinates). */
  removedWithoutDeprecation: string[];
  /** The marker line, when the message has one. */
  marker: string | null;
  report: string[];
}

/** Whether `Type.member` was deprecated in the schema (field, input field or enum value). */
function wasDeprecated(schema: GraphQLSchema, typeName: string, member: string): boolean {
  const type = schema.getType(typeName);
  if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
    return type.getFields()[member]?.deprecationReason != null;
  }
  if (isEnumType(type)) return type.getValue(member)?.deprecationReason != null;
  return false;
}

/** The coordinate a removal names, for the deprecation rule; null for other changes. */
function removedMember(change: Change): [string, string] | null {
  const meta = change.meta as Record<string, string | undefined>;
  const pair = (type: string | undefined, member: string | undefined): [string, string] | null =>
    type && member ? [type, member] : null;
  switch (change.type) {
    case "FIELD_REMOVED":
      return pair(meta.typeName, meta.removedFieldName);
    case "INPUT_FIELD_REMOVED":
      return pair(meta.inputName, meta.removedFieldName);
    case "ENUM_VALUE_REMOVED":
      return pair(meta.enumName, meta.removedEnumValueName);
    default:
      return null;
  }
}

export async function checkSchemaChange(input: {
  oldSdl: string;
  newSdl: string;
  message: string;
}): Promise<SchemaCheckResult> {
  const oldSchema = buildSchema(input.oldSdl);
  const newSchema = buildSchema(input.newSdl);
  const changes = await diff(oldSchema, newSchema);
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
  const dangerous = changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous);
  const safe = changes.filter((c) => c.criticality.level === CriticalityLevel.NonBreaking);
  const removedWithoutDeprecation = changes
    .map(removedMember)
    .filter((member): member is [string, string] => member !== null)
    .filter(([typeName, member]) => !wasDeprecated(oldSchema, typeName, member))
    .map(([typeName, member]) => `${typeName}.${member}`);
  const marker = input.message.match(BREAKING_CHANGE_MARKER)?.[0].trim() ?? null;

  const report: string[] = [];
  const list = (title: string, items: Change[]) => {
    if (items.length === 0) return;
    report.push(`${title} (${items.length}):`);
    for (const change of items) report.push(`  - ${change.message}${change.path ? ` [${change.path}]` : ""}`);
  };
  list("Breaking changes", breaking);
  list("Dangerous changes", dangerous);
  if (safe.length > 0) report.push(`Safe changes: ${safe.length} (additions, descriptions, deprecations).`);
  if (changes.length === 0) report.push("No changes to the schema.");

  let ok = true;
  if (breaking.length > 0) {
    if (marker) {
      report.push(`Breaking changes are marked intended by the commit: "${marker}".`);
    } else {
      ok = false;
      report.push(
        "FAIL: breaking changes to the contract. If they are intended, say so in the commit message with a line",
        "  Breaking-Change: intended — <why, and what integrators do about it>",
        "and add them to the changelog in docs/integrators.md.",
      );
    }
  }
  if (removedWithoutDeprecation.length > 0) {
    ok = false;
    report.push(
      `FAIL: removed without being @deprecated in the previous schema: ${removedWithoutDeprecation.join(", ")}.`,
      "  Deprecate first (keep the field, add @deprecated(reason: ...) naming its replacement), remove in a later commit.",
      "  The Breaking-Change marker does not excuse this.",
    );
  }
  return { ok, breaking, dangerous, safe, removedWithoutDeprecation, marker, report };
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    return null;
  }
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<number> {
  const cwd = process.cwd();
  const schemaPath = path.resolve(cwd, option("--schema") ?? "schema.graphql");
  const base = option("--base") ?? "HEAD~1";
  if (!existsSync(schemaPath)) {
    console.error(`schema:check: ${schemaPath} does not exist (run npm run schema:print).`);
    return 1;
  }
  if (git(["rev-parse", "--is-inside-work-tree"], cwd)?.trim() !== "true") {
    console.log("schema:check: skipped (not a git work tree, nothing to compare with).");
    return 0;
  }
  const resolveBase = () => git(["rev-parse", "--verify", "--quiet", `${base}^{commit}`], cwd)?.trim();
  let baseCommit = resolveBase();
  const shallow = git(["rev-parse", "--is-shallow-repository"], cwd)?.trim() === "true";
  if (!baseCommit && shallow && process.env.CI) {
    // A CI that clones shallowly (depth 1): fetch the parent once rather than skip.
    console.log("schema:check: shallow clone, fetching the previous commit (git fetch --deepen=1)");
    git(["fetch", "--quiet", "--deepen=1"], cwd);
    baseCommit = resolveBase();
  }
  if (!baseCommit) {
    console.log(
      `schema:check: skipped (${base} does not exist: ${shallow ? "a shallow clone; fetch more history (git fetch --deepen=1) to compare" : "the first commit"}).`,
    );
    return 0;
  }
  const relative = path.relative(git(["rev-parse", "--show-toplevel"], cwd)?.trim() ?? cwd, schemaPath);
  const oldSdl = git(["show", `${baseCommit}:${relative.split(path.sep).join("/")}`], cwd);
  if (oldSdl === null) {
    console.log(`schema:check: skipped (${base} has no ${relative}).`);
    return 0;
  }
  const message = option("--message") ?? git(["log", "-1", "--format=%B"], cwd) ?? "";
  const result = await checkSchemaChange({ oldSdl, newSdl: readFileSync(schemaPath, "utf8"), message });
  console.log(`schema:check: ${relative} against ${base} (${baseCommit.slice(0, 12)})`);
  for (const line of result.report) console.log(line);
  console.log(result.ok ? "schema:check: ok" : "schema:check: refused");
  return result.ok ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
