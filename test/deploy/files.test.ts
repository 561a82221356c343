// The deployment files (Dockerfile, compose.yaml, deploy/k8s/) as far as they
// can be checked without a Docker engine or a Kubernetes cluster: they parse;
// every command they run is one of package.json's scripts, or the very
// command npm run cluster runs; every variable they set is one the gateway or
// the carrier simulator reads, with a value their configuration accepts; the
// probes, the preStop sleep and the grace periods fit the drain time; the
// HEALTHCHECK's command works against a live /health.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { CARRIER_COMMAND, GATEWAY_COMMAND, WORKER_INSTANCE_MODE } from "../../scripts/cluster.ts";
import { Env as CarrierEnv, loadCarrierConfig } from "../../server/carrier/config.ts";
import { Env as GatewayEnv, loadConfig } from "../../server/config.ts";
import { execForm, healthcheckCommand, readDockerfile, root } from "./dockerfile.ts";

const run = promisify(execFile);
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
const k8sFiles = readdirSync(path.join(root, "deploy/k8s")).filter((f) => f.endsWith(".yaml"));
const gatewayVariables = new Set(Object.keys(GatewayEnv.shape));
const carrierVariables = new Set(Object.keys(CarrierEnv.shape));

/** Every Kubernetes object of deploy/k8s, by kind and name. */
const k8sObjects = k8sFiles.flatMap((file) =>
  parseAllDocuments(read(`deploy/k8s/${file}`)).map((doc) => doc.toJS() as any),
);
const k8s = (kind: string, name: string) => {
  const found = k8sObjects.find((o) => o?.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found;
};
// Merge keys (<<) as Compose reads them.
const compose = parse(read("compose.yaml"), { merge: true }) as {
  services: Record<
    string,
    { command?: string[]; environment?: Record<string, string>; stop_grace_period?: string }
  >;
};

/** The script a command stands for: `npm run X`, `npm ci`, or `node --import tsx FILE` run by a script. */
function checkCommand(command: string[] | string) {
  const words = typeof command === "string" ? command.trim().split(/\s+/) : command;
  if (words[0] === "npm" && words[1] === "run") {
    expect(Object.keys(scripts), `npm run ${words[2]}`).toContain(words[2]);
    return;
  }
  if (words[0] === "npm" && words[1] === "ci") return;
  expect(words.slice(0, 3), words.join(" ")).toEqual(["node", "--import", "tsx"]);
  const file = words[3] as string;
  expect(existsSync(path.join(root, file)), file).toBe(true);
  const runningIt = Object.entries(scripts).filter(([, script]) => script.split(/\s+/).includes(file));
  expect(
    runningIt.map(([name]) => name),
    `a package.json script running ${file}`,
  ).not.toEqual([]);
}

const dockerfile = readDockerfile();
const runtime = dockerfile.filter((i) => i.stage === "runtime");

describe("the Dockerfile", () => {
  it("builds in a builder stage and runs as a non-root user with production dependencies", () => {
    expect(dockerfile.filter((i) => i.keyword === "FROM").map((i) => i.stage)).toEqual([
      "builder",
      "runtime",
    ]);
    const builderRuns = dockerfile
      .filter((i) => i.stage === "builder" && i.keyword === "RUN")
      .map((i) => i.args);
    expect(builderRuns.join(" && ")).toMatch(/npm run db:generate/);
    expect(builderRuns.join(" && ")).toMatch(/npm run build/);
    expect(
      runtime
        .filter((i) => i.keyword === "RUN")
        .map((i) => i.args)
        .join(" "),
    ).toMatch(/npm ci --omit=dev --ignore-scripts/);
    // What the builder made is copied over: the Prisma client and the web client.
    const fromBuilder = runtime.filter((i) => i.keyword === "COPY" && i.args.startsWith("--from=builder"));
    expect(fromBuilder.map((i) => i.args.split(/\s+/)[1])).toEqual([
      "/app/prisma/generated",
      "/app/web/dist",
    ]);
    expect(runtime.filter((i) => i.keyword === "USER").map((i) => i.args)).toEqual(["node"]);
  });

  it("runs only package.json's scripts, and starts with the command npm run cluster runs", () => {
    for (const instruction of dockerfile.filter((i) => i.keyword === "RUN")) {
      for (const step of instruction.args.split("&&")) {
        const words = step.trim().split(/\s+/);
        if (words[0] === "npm" && words[1] !== "cache") checkCommand(words);
      }
    }
    const cmd = execForm(runtime.find((i) => i.keyword === "CMD")?.args ?? "null");
    expect(cmd).toEqual([...GATEWAY_COMMAND]);
    expect(scripts.serve).toBe(GATEWAY_COMMAND.join(" "));
    checkCommand(cmd);
  });

  it("copies what the server needs and .dockerignore leaves it in", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    for (const heavy of ["node_modules", "data", "data-cluster", ".git", "web/dist", "prisma/generated"])
      expect(ignored).toContain(heavy);
    const sources = runtime
      .filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from"))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).toEqual(
      expect.arrayContaining(["package.json", "domain", "lib", "prisma", "schema", "server", "services"]),
    );
    for (const source of sources) {
      expect(existsSync(path.join(root, source)), source).toBe(true);
      expect(ignored, source).not.toContain(source);
    }
    // Everything server/index.ts imports lives in the copied folders.
    const imports = read("server/app.ts").match(/from "\.\.\/([a-z-]+)\//g) ?? [];
    for (const line of imports) expect(sources).toContain(/\.\.\/([a-z-]+)\//.exec(line)?.[1]);
  });

  it("sets only variables the gateway reads, with values it accepts", () => {
    const env = Object.fromEntries(
      runtime
        .filter((i) => i.keyword === "ENV")
        .flatMap((i) => i.args.split(/\s+/))
        .map((pair) => pair.split("=") as [string, string]),
    );
    for (const name of Object.keys(env)) expect(gatewayVariables, name).toContain(name);
    expect(loadConfig(env)).toMatchObject({ host: "0.0.0.0", port: 4000 });
  });

  it("has a HEALTHCHECK whose command passes on /health 200 and fails otherwise", async () => {
    const [node, ...args] = healthcheckCommand(dockerfile);
    expect(node).toBe("node");
    let status = 200;
    const server = createServer((req, res) => {
      res.writeHead(req.url === "/health" ? status : 404).end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const probe = () =>
      run(process.execPath, args, { env: { ...process.env, PORT: String(port) } }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    try {
      expect(await probe()).toBe(0);
      status = 503;
      expect(await probe()).toBe(1);
    } finally {
      server.close();
    }
  });
});

describe("compose.yaml", () => {
  it("has the layout of npm run cluster", () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ["api-0", "api-1", "carrier", "mailpit", "postgres", "redis", "worker"].sort(),
    );
    expect(compose.services["api-0"]?.environment?.WORKER).toBe("off");
    expect(compose.services["api-1"]?.environment?.WORKER).toBe("off");
    expect(compose.services.worker?.environment?.WORKER).toBe(WORKER_INSTANCE_MODE);
  });

  it("runs the image's own command (or the carrier's script) and sets only variables they read", () => {
    for (const name of ["api-0", "api-1", "worker"]) {
      const service = compose.services[name]!;
      expect(service.command, name).toBeUndefined(); // the image's CMD: GATEWAY_COMMAND
      const env = service.environment ?? {};
      for (const variable of Object.keys(env))
        expect(gatewayVariables, `${name}: ${variable}`).toContain(variable);
      const config = loadConfig(env);
      // Docker stops a container with SIGKILL after stop_grace_period: it must outlast the drain.
      const grace = Number.parseInt(service.stop_grace_period ?? "10s", 10) * 1000;
      expect(grace, name).toBeGreaterThan(config.shutdownGraceMs);
    }
    const carrier = compose.services.carrier!;
    expect(carrier.command).toEqual([...CARRIER_COMMAND]);
    checkCommand(carrier.command!);
    for (const variable of Object.keys(carrier.environment ?? {}))
      expect(carrierVariables, `carrier: ${variable}`).toContain(variable);
    expect(loadCarrierConfig(carrier.environment).port).toBe(4000);
  });
});

describe("the Kubernetes manifests", () => {
  it("every file parses, every object has a kind and a name", () => {
    expect(k8sFiles.sort()).toEqual(
      ["api.yaml", "configmap.yaml", "kustomization.yaml", "secret.example.yaml", "worker.yaml"].sort(),
    );
    for (const file of k8sFiles) {
      for (const doc of parseAllDocuments(read(`deploy/k8s/${file}`))) expect(doc.errors, file).toEqual([]);
    }
    for (const object of k8sObjects.filter((o) => o.kind !== "Kustomization"))
      expect(object.metadata?.name, JSON.stringify(object)).toBeTruthy();
    const kustomization = k8sObjects.find((o) => o.kind === "Kustomization");
    for (const resource of kustomization.resources) expect(k8sFiles).toContain(resource);
  });

  const configMap = k8s("ConfigMap", "anshin-gateway").data as Record<string, string>;
  const secret = k8s("Secret", "anshin-gateway").stringData as Record<string, string>;

  for (const [name, worker] of [
    ["anshin-api", "off"],
    ["anshin-worker", WORKER_INSTANCE_MODE],
  ] as const) {
    it(`${name}: the image's command, known variables, probes, preStop and a grace period above the drain`, () => {
      const pod = k8s("Deployment", name).spec.template.spec;
      const [container] = pod.containers;
      expect(container.command).toEqual([...GATEWAY_COMMAND]);
      const env = Object.fromEntries(
        container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
      );
      expect(env.WORKER).toBe(worker);
      const sources = container.envFrom.map((e: any) => e.configMapRef?.name ?? e.secretRef?.name);
      expect(sources).toEqual(["anshin-gateway", "anshin-gateway"]);
      const all = { ...configMap, ...secret, ...env };
      for (const variable of Object.keys(all)) expect(gatewayVariables, variable).toContain(variable);
      const config = loadConfig(all);

      expect(container.livenessProbe.httpGet.path).toBe("/health");
      expect(container.readinessProbe.httpGet.path).toBe("/ready");
      expect(container.startupProbe.httpGet.path).toBe("/health");
      const port = container.ports.find(
        (p: { name: string }) => p.name === container.livenessProbe.httpGet.port,
      );
      expect(port.containerPort).toBe(config.port);
      const preStop = container.lifecycle.preStop.exec.command as string[];
      expect(preStop[0]).toBe("sleep");
      const preStopSeconds = Number(preStop[1]);
      expect(preStopSeconds).toBeGreaterThan(0);
      // SIGTERM comes after preStop; the kubelet kills at terminationGracePeriodSeconds.
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(
        preStopSeconds + config.shutdownGraceMs / 1000,
      );
      expect(pod.securityContext.runAsNonRoot).toBe(true);
    });
  }

  it("a Service sends to the API pods only, and a PodDisruptionBudget keeps one serving", () => {
    const labels = k8s("Deployment", "anshin-api").spec.template.metadata.labels;
    const service = k8s("Service", "anshin-api");
    expect(labels).toMatchObject(service.spec.selector);
    expect(k8s("Deployment", "anshin-worker").spec.template.metadata.labels).not.toMatchObject(
      service.spec.selector,
    );
    expect(service.spec.ports[0].targetPort).toBe("http");
    const budget = k8s("PodDisruptionBudget", "anshin-api");
    expect(labels).toMatchObject(budget.spec.selector.matchLabels);
    expect(budget.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(k8s("Deployment", "anshin-api").spec.replicas).toBeGreaterThan(budget.spec.minAvailable);
  });
});
