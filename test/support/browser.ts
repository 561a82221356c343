// A real browser for the web client, driven by playwright-core (test tools
// cannot download browsers on these machines). Which Chromium, first match:
//   1. CHROMIUM_PATH;
//   2. a system Chromium (Debian's /usr/bin/chromium), unless E2E_BROWSER=packaged
//      (E2E_BROWSER=system insists on it);
//   3. the Chromium that `npm install` brought: @sparticuz/chromium ships it
//      brotli-compressed inside its tarball, so a fresh machine with only
//      Node.js and npm runs the browser tests too.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

const root = path.resolve(import.meta.dirname, "../..");
export const SCREENSHOTS = path.join(root, "tmp/screenshots");

const SYSTEM_CHROMIUMS = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export interface BrowserChoice {
  executablePath: string;
  source: "CHROMIUM_PATH" | "system" | "packaged";
}

export function chooseChromium(env: NodeJS.ProcessEnv = process.env): BrowserChoice {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist`);
    return { executablePath: env.CHROMIUM_PATH, source: "CHROMIUM_PATH" };
  }
  if (env.E2E_BROWSER !== "packaged") {
    const system = SYSTEM_CHROMIUMS.find((candidate) => existsSync(candidate));
    if (system) return { executablePath: system, source: "system" };
    if (env.E2E_BROWSER === "system") throw new Error(`E2E_BROWSER=system: none of ${SYSTEM_CHROMIUMS}`);
  }
  return { executablePath: packagedChromium(), source: "packaged" };
}

/**
 * Unpacks @sparticuz/chromium once per version into node_modules/.cache. The
 * package inflates into os.tmpdir() and reuses whatever `chromium` it finds
 * there, so it runs in a child process whose TMPDIR is a private staging
 * directory, which is then renamed into place: two test runs starting
 * together never launch a half-written binary, and another project's
 * /tmp/chromium of another version is never picked up.
 */
function packagedChromium(): string {
  const manifest = path.join(root, "node_modules/@sparticuz/chromium/package.json");
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  const cache = path.join(root, "node_modules/.cache/anshin-chromium");
  const target = path.join(cache, version);
  const executable = path.join(target, "chromium");
  if (existsSync(executable)) return executable;

  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(path.join(cache, `${version}.unpacking-`));
  const unpacked = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      "import c from '@sparticuz/chromium'; process.stdout.write(await c.executablePath());",
    ],
    { cwd: root, env: { ...process.env, TMPDIR: staging }, encoding: "utf8", timeout: 120_000 },
  );
  if (unpacked.status !== 0 || unpacked.stdout.trim() !== path.join(staging, "chromium")) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not unpack @sparticuz/chromium: ${unpacked.stderr || unpacked.stdout}`);
  }
  try {
    renameSync(staging, target);
  } catch (error) {
    // Another run unpacked the same version first; theirs is complete.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(executable)) throw error;
  }
  return executable;
}

/** Flags for a headless Chromium on a machine with no network beyond loopback. */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

export async function launchBrowser(): Promise<Browser> {
  const { executablePath, source } = chooseChromium();
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: FLAGS,
  });
  // Which browser ran shows in the test output (CI proves both paths).
  console.info(`browser: ${source} Chromium ${browser.version()} (${executablePath})`);
  return browser;
}

/**
 * Signs in on the web client's login page and waits for the service menu. The
 * session is the browser's (localStorage, shared by the tabs of a context): a
 * page already signed in is signed out here first, as another tab would be.
 */
export async function logIn(
  page: Page,
  baseUrl: string,
  loginId: string,
  password = "demo-pass",
): Promise<void> {
  await page.goto(`${baseUrl}/`);
  if (await page.evaluate(() => localStorage.getItem("anshin.token") !== null)) {
    await page.evaluate(() => localStorage.removeItem("anshin.token"));
    await page.goto(`${baseUrl}/`);
  }
  await page.getByLabel("管理者ID").fill(loginId);
  await page.getByLabel("パスワード").fill(password);
  await page.getByRole("button", { name: "ログイン" }).click();
  await page.getByRole("heading", { name: "サービスメニュー" }).waitFor();
}

/**
 * Collects the Content-Security-Policy violations of every document the page
 * loads: each `securitypolicyviolation` event, and the console errors Chromium
 * writes for them (workers' violations fire no event in the document).
 */
export async function watchCspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeBinding("__reportCspViolation", (_source, violation: string) => {
    violations.push(violation);
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __reportCspViolation(violation: string): void })
        .__reportCspViolation;
      report(
        `${event.effectiveDirective} blocked ${event.blockedURI || "an inline source"} in ${event.sourceFile}`,
      );
    });
  });
  page.on("console", (message) => {
    if (message.type() === "error" && message.text().includes("Content Security Policy"))
      violations.push(message.text());
  });
  return violations;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
