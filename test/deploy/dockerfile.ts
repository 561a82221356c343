// Reads the Dockerfile into its instructions (enough of the syntax for ours:
// comments, line continuations, exec-form JSON arrays), for the deployment
// tests: no Docker engine runs here, so what the image would run is checked
// against the project instead.
import { readFileSync } from "node:fs";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "../..");

export interface Instruction {
  /** FROM, RUN, COPY, CMD … (upper case). */
  keyword: string;
  /** The rest of the instruction, continuation lines joined. */
  args: string;
  /** Which stage it belongs to (the FROM … AS name), or the stage's index. */
  stage: string;
}

export function readDockerfile(file = path.join(root, "Dockerfile")): Instruction[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const instructions: Instruction[] = [];
  let stage = "";
  let stages = 0;
  let pending = "";
  for (const line of lines) {
    // Comments, also between the lines of a continued instruction.
    if (/^\s*#/.test(line)) continue;
    const text = pending ? `${pending} ${line.trim()}` : line.trim();
    if (text.endsWith("\\")) {
      pending = text.slice(0, -1).trim();
      continue;
    }
    pending = "";
    if (!text) continue;
    const keyword = (text.split(/\s+/, 1)[0] ?? "").toUpperCase();
    const args = text.slice(keyword.length).trim();
    if (keyword === "FROM") {
      stage = / AS (\S+)$/i.exec(args)?.[1] ?? String(stages);
      stages++;
    }
    instructions.push({ keyword, args, stage });
  }
  return instructions;
}

/** An exec-form argument list (`["node", "x.ts"]`). */
export function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string"))
    throw new Error(`not an exec-form list: ${args}`);
  return parsed;
}

/** The HEALTHCHECK's command (its CMD, exec form). */
export function healthcheckCommand(instructions = readDockerfile()): string[] {
  const healthcheck = instructions.find((i) => i.keyword === "HEALTHCHECK");
  if (!healthcheck) throw new Error("the Dockerfile has no HEALTHCHECK");
  const at = healthcheck.args.indexOf("CMD ");
  return execForm(healthcheck.args.slice(at + 4).trim());
}
