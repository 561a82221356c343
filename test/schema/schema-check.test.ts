// scripts/schema-check.ts (npm run schema:check, run by .ci/run): breaking
// changes need the commit's marker, removals need an earlier @deprecated.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkSchemaChange } from "../../scripts/schema-check.ts";

const before = `
type Query {
  "A line."
  line: Line
}
type Line {
  id: ID!
  name: String!
  kana: String! @deprecated(reason: "Use nameKana.")
  nameKana: String!
}
`;
const MARKER = "Issue 18\n\nBreaking-Change: intended — kana had been deprecated since 0.1\n";

describe("checkSchemaChange", () => {
  it("lets additions through without a marker", async () => {
    const result = await checkSchemaChange({
      oldSdl: before,
      newSdl: before.replace("nameKana: String!", "nameKana: String!\n  affiliation: String"),
      message: "Add Line.affiliation",
    });
    expect(result.ok).toBe(true);
    expect(result.breaking).toEqual([]);
  });

  it("refuses a breaking change without the marker, and accepts it with one", async () => {
    const newSdl = before.replace("name: String!", "name: String");
    const refused = await checkSchemaChange({ oldSdl: before, newSdl, message: "Make name nullable" });
    expect(refused.ok).toBe(false);
    expect(refused.breaking.map((change) => change.path)).toEqual(["Line.name"]);
    expect(refused.report.join("\n")).toContain("Breaking-Change: intended — <why");

    const intended = await checkSchemaChange({ oldSdl: before, newSdl, message: MARKER });
    expect(intended.ok).toBe(true);
    expect(intended.marker).toBe("Breaking-Change: intended — kana had been deprecated since 0.1");
  });

  it("does not take a marker without a reason", async () => {
    const result = await checkSchemaChange({
      oldSdl: before,
      newSdl: before.replace("name: String!", "name: String"),
      message: "x\n\nBreaking-Change: intended —\n",
    });
    expect(result.ok).toBe(false);
  });

  it("accepts removing a deprecated field with the marker", async () => {
    const result = await checkSchemaChange({
      oldSdl: before,
      newSdl: before.replace(/ {2}kana: .*\n/, ""),
      message: MARKER,
    });
    expect(result.removedWithoutDeprecation).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("refuses removing a field that was never deprecated, even with the marker", async () => {
    const result = await checkSchemaChange({
      oldSdl: before,
      newSdl: before.replace("  name: String!\n", ""),
      message: MARKER,
    });
    expect(result.removedWithoutDeprecation).toEqual(["Line.name"]);
    expect(result.ok).toBe(false);
  });
});

describe("npm run schema:check in a clone", () => {
  const script = fileURLToPath(new URL("../../scripts/schema-check.ts", import.meta.url));
  const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
  const repo = mkdtempSync(path.join(tmpdir(), "schema-check-"));
  afterAll(() => rmSync(repo, { recursive: true, force: true }));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=CI", "-c", "user.email=ci@example.com", ...args], {
      cwd: repo,
      stdio: "pipe",
    });
  const check = () => spawnSync(tsx, [script], { cwd: repo, encoding: "utf8" });
  const commit = (sdl: string, message: string) => {
    writeFileSync(path.join(repo, "schema.graphql"), sdl);
    git("add", "schema.graphql");
    git("commit", "-q", "-m", message);
  };

  it("skips the first commit, then refuses a removed field and names it", () => {
    git("init", "-q", "-b", "main");
    commit(before, "First");
    const first = check();
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("skipped (HEAD~1 does not exist: the first commit)");

    commit(before.replace("  name: String!\n", ""), "Remove Line.name");
    const refused = check();
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain("Field 'name' was removed from object type 'Line'");
    expect(refused.stdout).toContain(
      "FAIL: removed without being @deprecated in the previous schema: Line.name.",
    );
    expect(refused.stdout).toContain("schema:check: refused");
  });
});
