// npm run cluster as a person runs it: it starts the layout, prints the URLs,
// every part serves (the image's HEALTHCHECK command passes against the
// instances), and a Ctrl-C (SIGINT to the terminal's whole process group)
// stops everything: exit 0, no process left, no port still open.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { PORT_OFFSETS, portIsOpen } from "../../scripts/cluster.ts";
import { healthcheckCommand } from "../deploy/dockerfile.ts";
import { graphql } from "../support/graphql.ts";
import { waitUntil } from "../support/wait.ts";
import { clusterTests, freeBasePort, reportFigures, secondsSince } from "./harness.ts";

const root = path.resolve(import.meta.dirname, "../..");
let dir: string | undefined;
const run = promisify(execFile);
/** The CLI's process group and exit, while it runs. */
let running: { group: number; exited: Promise<unknown> } | undefined;

afterAll(async () => {
  // Only if the test failed half-way: Ctrl-C, and the files go once it has stopped.
  if (running) {
    process.kill(-running.group, "SIGINT");
    await running.exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Running, and not a zombie (a daemon's exit is reaped by init, some time later). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc: take the signal's word
  }
};

describe.skipIf(!clusterTests)("npm run cluster", () => {
  it("starts every part, prints the URLs, and Ctrl-C stops them all with nothing left behind", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "anshin-cluster-cli-"));
    const basePort = await freeBasePort();
    const started = Date.now();
    // A terminal's foreground job: its own process group, which Ctrl-C signals as a whole.
    const child = spawn(
      "npm",
      ["run", "--silent", "cluster", "--", "--base-port", String(basePort), "--dir", dir],
      {
        cwd: root,
        env: { ...process.env, FAKE_NOW: "2026-11-24T10:00:00+09:00" },
        stdio: ["ignore", "pipe", "inherit"],
        detached: true,
      },
    );
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    running = { group: child.pid!, exited };
    const output: string[] = [];
    createInterface({ input: child.stdout }).on("line", (line) => output.push(line));
    await waitUntil(
      () => output.some((line) => line.includes("Ctrl-C stops everything")) || child.exitCode !== null,
      Boolean,
      { what: "the cluster to be ready", timeoutMs: 180_000, intervalMs: 200 },
    );
    const secondsToStart = secondsSince(started);
    const url = (name: string) =>
      output
        .find((line) => line.trim().startsWith(`${name} `))
        ?.trim()
        .split(/\s+/)[1];
    const pids = Object.fromEntries(
      (output.find((line) => line.trim().startsWith("pids:")) ?? "")
        .replace("pids:", "")
        .trim()
        .split(/\s+/)
        .map((pair) => pair.split("=") as [string, string])
        .map(([name, pid]) => [name, Number(pid)]),
    );
    expect(url("api-0")).toBe(`http://127.0.0.1:${basePort}/graphql`);
    expect(url("api-1")).toBe(`http://127.0.0.1:${basePort + 1}/graphql`);
    expect(Object.keys(pids).sort()).toEqual(
      ["api-0", "api-1", "carrier", "postgres", "redis", "smtp", "worker"].sort(),
    );
    for (const [name, pid] of Object.entries(pids)) expect(alive(pid), name).toBe(true);

    for (const api of [url("api-0"), url("api-1")]) {
      expect((await graphql(api!, "{ __typename }")).data).toEqual({ __typename: "Query" });
    }
    const workerBase = `http://127.0.0.1:${basePort + PORT_OFFSETS.worker}`;
    expect((await fetch(`${workerBase}/graphql`)).status).toBe(404); // the worker tier serves no API
    for (const port of [basePort, basePort + 1, basePort + PORT_OFFSETS.worker]) {
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status, `/ready on ${port}`).toBe(200);
    }
    // The image's HEALTHCHECK, run as Docker would run it inside each gateway container.
    const [, ...healthcheck] = healthcheckCommand();
    for (const port of [basePort, basePort + 1, basePort + PORT_OFFSETS.worker]) {
      await run(process.execPath, healthcheck, { env: { ...process.env, PORT: String(port) } });
    }
    expect((await fetch(url("smtp-messages")!)).status).toBe(200);

    const stopping = Date.now();
    process.kill(-child.pid!, "SIGINT");
    const exit = await exited;
    running = undefined;
    const secondsToStop = secondsSince(stopping);
    const left = Object.entries(pids).filter(([, pid]) => alive(pid));
    const open: number[] = [];
    for (const offset of Object.values(PORT_OFFSETS))
      if (await portIsOpen(basePort + offset)) open.push(basePort + offset);
    reportFigures("npm run cluster, then Ctrl-C", {
      secondsToStart,
      secondsToStop,
      npmExit: exit.code ?? exit.signal,
      processesLeft: left.length,
      portsStillOpen: open.length,
    });
    // The cluster says "stopped" and exits 0; npm, Ctrl-C'd like the rest of
    // the group, ends as a shell expects: by the signal (or 0).
    expect(output).toContain("stopped");
    expect([0, "SIGINT"]).toContain(exit.code ?? exit.signal);
    expect(left).toEqual([]);
    expect(open).toEqual([]);
  }, 300_000);
});
