// Drives code-server in Debian's Chromium the way a person would see it: opens the workspace,
// waits for the probe extension to finish, shows the Problems panel, checks that the squiggle
// and the AG001 entry are on screen, and saves a screenshot.
//
// usage: node vscode_ui.js CONFIG_JSON
//   { "playwright": DIR, "chromium": PATH, "url": URL, "probeResults": PATH,
//     "screenshot": PATH, "results": PATH, "profileDir": DIR, "timeoutMs": N }
// Writes { ok, squiggles, problems, error? } to config.results.
"use strict";

const fs = require("fs");
const path = require("path");

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const { chromium } = require(config.playwright);

const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForFile(file, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${file}`);
    }
    await sleep(250);
  }
}

async function showProblems(page) {
  const panel = page.locator(".markers-panel");
  await page.keyboard.press("Control+Shift+M");
  try {
    await panel.first().waitFor({ state: "visible", timeout: 5000 });
  } catch {
    // The shortcut can be swallowed while focus is elsewhere: use the status bar instead.
    await page.locator("#status\\.problems").first().click();
    await panel.first().waitFor({ state: "visible", timeout: 15000 });
  }
}

async function main() {
  const out = { ok: false, squiggles: 0, problems: [] };
  const context = await chromium.launchPersistentContext(config.profileDir, {
    executablePath: config.chromium,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 860 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(config.url, { timeout: config.timeoutMs });
    await page.locator(".monaco-workbench").first().waitFor({ timeout: config.timeoutMs });
    // The probe extension runs inside the workbench this page started; its results mean the
    // diagnostics arrived and the pitfall file is the active editor again.
    await waitForFile(config.probeResults, config.timeoutMs);
    await showProblems(page);
    const row = page.locator(".markers-panel .monaco-list-row", { hasText: "AG001" });
    await row.first().waitFor({ state: "visible", timeout: config.timeoutMs });
    const squiggle = page.locator(".monaco-editor .squiggly-error");
    await squiggle.first().waitFor({ state: "attached", timeout: config.timeoutMs });
    // Let the panel finish laying out before the picture is taken.
    await sleep(1000);
    out.squiggles = await squiggle.count();
    out.problems = await page.locator(".markers-panel .monaco-list-row").allInnerTexts();
    out.activeTab = await page.locator(".tab.active").first().innerText().catch(() => "");
    fs.mkdirSync(path.dirname(config.screenshot), { recursive: true });
    await page.screenshot({ path: config.screenshot });
    out.ok = true;
  } catch (error) {
    out.error = String(error && error.stack ? error.stack : error);
    try {
      const page = context.pages()[0];
      if (page) {
        await page.screenshot({ path: config.screenshot.replace(/\.png$/, "-failure.png") });
      }
    } catch {
      // nothing more to save
    }
  } finally {
    await context.close();
  }
  fs.writeFileSync(config.results, JSON.stringify(out, null, 2));
}

main().catch((error) => {
  fs.writeFileSync(config.results, JSON.stringify({ ok: false, error: String(error) }));
  process.exitCode = 1;
});
