// The floors of the code base (README, "Layout"; ../shared/notes/style.md): an
// import never climbs one. domain/ holds pure rules; lib/ and prisma/ the
// database handle, the logger and the data model; services/ the rules that
// touch them; schema/ maps GraphQL to services; server/ (HTTP, WebSocket,
// process lifecycle) is the top floor, and so are the entry points beside it
// (scripts/, bench/, test/), which this test leaves alone. The web client
// shares only domain/ with the server.
//
// Imports are read with TypeScript's own pre-processor, which finds static,
// type-only, re-exporting and dynamic imports alike and skips comments and
// strings.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

/** What each folder may import besides itself and packages. */
const allowed: Record<string, string[]> = {
  // The generated enums (AdminRole, LineChangeKind…) are the data model's words.
  domain: ["prisma/generated"],
  lib: ["domain", "prisma/generated"],
  prisma: ["domain", "lib"],
  services: ["domain", "lib", "prisma"],
  schema: ["domain", "lib", "prisma", "services"],
  "web/src": ["domain"],
};

const skipped = new Set(["node_modules", "generated", "gql", "dist"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return skipped.has(entry.name) ? [] : sourceFiles(relative);
    return /\.(ts|tsx|mts|cts)$/.test(entry.name) ? [relative] : [];
  });
}

/** Every relative import of `file`, as a path from the repository's root. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(root, file), "utf8"), true, true);
  return importedFiles
    .map((ref) => ref.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
}

const within = (target: string, folder: string) => target === folder || target.startsWith(`${folder}/`);

/** "file → import" for each import of `folder` that leaves it for a folder it may not use. */
function violations(folder: string): string[] {
  const permitted = [folder, ...(allowed[folder] ?? [])];
  return sourceFiles(folder).flatMap((file) =>
    importsOf(file)
      .filter((target) => !permitted.some((floor) => within(target, floor)))
      .map((target) => `${file} → ${target}`),
  );
}

describe("the import graph", () => {
  it.each(Object.keys(allowed))("%s imports only from the floors below it", (folder) => {
    expect(sourceFiles(folder).length).toBeGreaterThan(0);
    expect(violations(folder)).toEqual([]);
  });

  it("finds every kind of import, and only imports", () => {
    const source = [
      'import a from "../server/a.ts";',
      'import type { B } from "../server/b.ts";',
      'export * from "../server/c.ts";',
      'const d = await import("../server/d.ts");',
      'type E = typeof import("../server/e.ts");',
      '// import f from "../server/f.ts";',
      "const g = 'import g from \"../server/g.ts\"';",
    ].join("\n");
    const found = ts.preProcessFile(source, true, true).importedFiles.map((ref) => ref.fileName);
    expect(found).toEqual([
      "../server/a.ts",
      "../server/b.ts",
      "../server/c.ts",
      "../server/d.ts",
      "../server/e.ts",
    ]);
  });
});
