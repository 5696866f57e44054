// Test-only VS Code extension: exercises the installed autograd-lint extension from inside a
// running VS Code (code-server) and records what VS Code itself reports, so the pytest side
// asserts on the editor's view of the world, not on the server's.
//
// It does nothing unless AUTOGRAD_LINT_PROBE names a JSON file:
//   { "results": PATH, "diagnosticsFile": PATH, "fixFile": PATH, "timeoutMs": N }
// Results are written to a temporary file and renamed, so a reader never sees half a file.
"use strict";

const fs = require("fs");
const vscode = require("vscode");

const SOURCE = "autograd-lint";
const EXTENSION_ID = "autograd-lint.autograd-lint";

function codeOf(diagnostic) {
  const code = diagnostic.code;
  if (code && typeof code === "object") {
    return String(code.value);
  }
  return code === undefined ? null : String(code);
}

function rangeOf(range) {
  return {
    start: { line: range.start.line, character: range.start.character },
    end: { line: range.end.line, character: range.end.character },
  };
}

function severityName(severity) {
  return ["error", "warning", "information", "hint"][severity] ?? String(severity);
}

function describe(diagnostic) {
  return {
    code: codeOf(diagnostic),
    source: diagnostic.source ?? null,
    severity: severityName(diagnostic.severity),
    message: diagnostic.message,
    range: rangeOf(diagnostic.range),
  };
}

function ours(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/** Resolves with our diagnostics for `uri` once `accept(diagnostics)` holds. */
function waitForDiagnostics(uri, accept, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = ours(uri);
      if (accept(found)) {
        cleanup();
        resolve(found);
        return true;
      }
      return false;
    };
    const listener = vscode.languages.onDidChangeDiagnostics(() => check());
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    function cleanup() {
      listener.dispose();
      clearTimeout(timer);
    }
    check();
  });
}

const hasCode = (code) => (found) => found.some((d) => codeOf(d) === code);

async function checkDiagnostics(config, results) {
  const uri = vscode.Uri.file(config.diagnosticsFile);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: false });
  results.languageId = document.languageId;
  const started = Date.now();
  const found = await waitForDiagnostics(uri, hasCode("AG001"), config.timeoutMs, "AG001");
  results.diagnosticsMs = Date.now() - started;
  results.diagnostics = found.map(describe);
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  results.extensionActive = extension ? extension.isActive : false;
  return document;
}

async function checkConfirmation(config, results, document) {
  // The runtime check replays the witness after the first publish; the verdict arrives as a
  // later update of the same diagnostic.
  const found = await waitForDiagnostics(
    document.uri,
    (f) => f.some((d) => codeOf(d) === "AG001" && d.message.includes("confirmed")),
    config.timeoutMs,
    "AG001 to be confirmed",
  );
  results.confirmedMessage = found.find((d) => codeOf(d) === "AG001").message;
}

async function checkSettings(config, results, document) {
  // A setting changed in the editor must reach the running server: ignoring AG001 clears
  // the finding, and un-ignoring it brings it back.
  const settings = vscode.workspace.getConfiguration(SOURCE);
  await settings.update("ignore", ["AG001"], vscode.ConfigurationTarget.Global);
  await waitForDiagnostics(document.uri, (f) => !hasCode("AG001")(f), config.timeoutMs, "AG001 to go");
  results.settings = { ignoredClearsAG001: true };
  await settings.update("ignore", undefined, vscode.ConfigurationTarget.Global);
  await waitForDiagnostics(document.uri, hasCode("AG001"), config.timeoutMs, "AG001 to return");
  results.settings.unignoreRestoresAG001 = true;
}

async function checkQuickFix(config, results) {
  const uri = vscode.Uri.file(config.fixFile);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: false });
  const found = await waitForDiagnostics(uri, hasCode("AG002"), config.timeoutMs, "AG002");
  const target = found.find((d) => codeOf(d) === "AG002");
  results.fixDiagnostics = found.map(describe);
  const actions =
    (await vscode.commands.executeCommand(
      "vscode.executeCodeActionProvider",
      uri,
      target.range,
      vscode.CodeActionKind.QuickFix.value,
      50,
    )) ?? [];
  results.codeActions = actions.map((a) => ({
    title: a.title,
    kind: a.kind ? a.kind.value : null,
    isPreferred: Boolean(a.isPreferred),
    hasEdit: Boolean(a.edit),
    diagnostics: (a.diagnostics ?? []).map(codeOf),
  }));
  const fix = actions.find(
    (a) => a.edit && a.kind && a.kind.value === "quickfix" && /clone/i.test(a.title),
  );
  if (!fix) {
    throw new Error(`no quick fix with an edit for AG002 among ${actions.length} actions`);
  }
  results.appliedAction = fix.title;
  results.applied = await vscode.workspace.applyEdit(fix.edit);
  results.textAfterFix = document.getText();
  // Once fixed, the server must drop the finding.
  await waitForDiagnostics(uri, (f) => !hasCode("AG002")(f), config.timeoutMs, "AG002 to go");
  results.fixClearsAG002 = true;
  await vscode.commands.executeCommand("workbench.action.files.revert");
}

async function checkWitness(config, results, document) {
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  const finding = ours(document.uri).find((d) => codeOf(d) === "AG001");
  editor.selection = new vscode.Selection(finding.range.start, finding.range.start);
  const before = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
  await vscode.commands.executeCommand("autograd-lint.showWitness");
  const opened = vscode.workspace.textDocuments.filter(
    (d) => !before.has(d.uri.toString()) && d.isUntitled,
  );
  results.witness = opened.map((d) => ({ languageId: d.languageId, text: d.getText() }));
  // Close the scratch document again (it is linted too, and would crowd the Problems panel).
  if (opened.length > 0 && vscode.window.activeTextEditor?.document === opened[0]) {
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  }
  await vscode.window.showTextDocument(document, { preview: false });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function checkHover(config, results, document) {
  // Hover on the tensor the AG001 finding is about, where the finding starts: VS Code asks
  // every hover provider, as it does under the mouse.
  const finding = ours(document.uri).find((d) => codeOf(d) === "AG001");
  const hovers =
    (await vscode.commands.executeCommand(
      "vscode.executeHoverProvider",
      document.uri,
      finding.range.start,
    )) ?? [];
  results.hover = hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === "string" ? c : c.value))
    .join("\n");
  if (!results.hover) {
    throw new Error("no hover text");
  }
}

function hintLabel(hint) {
  return typeof hint.label === "string" ? hint.label : hint.label.map((p) => p.value).join("");
}

async function inlayHints(document) {
  const whole = new vscode.Range(0, 0, document.lineCount, 0);
  const hints =
    (await vscode.commands.executeCommand(
      "vscode.executeInlayHintProvider",
      document.uri,
      whole,
    )) ?? [];
  return hints.map((h) => ({
    line: h.position.line,
    character: h.position.character,
    label: hintLabel(h),
  }));
}

async function pollHints(document, accept, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hints = await inlayHints(document);
    if (accept(hints)) {
      return hints;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; have ${JSON.stringify(hints)}`);
    }
    await sleep(200);
  }
}

async function checkInlayHints(config, results, document) {
  // Off by default; the setting reaches the running server and turns them on, then off.
  results.inlayHintsBeforeSetting = await inlayHints(document);
  const settings = vscode.workspace.getConfiguration(SOURCE);
  await settings.update("inlayHints", true, vscode.ConfigurationTarget.Global);
  results.inlayHints = await pollHints(document, (h) => h.length > 0, config.timeoutMs, "hints");
  await settings.update("inlayHints", undefined, vscode.ConfigurationTarget.Global);
  await pollHints(document, (h) => h.length === 0, config.timeoutMs, "hints to go");
  results.inlayHintsGoWhenOff = true;
}

async function run(config) {
  const results = { ok: false, steps: {} };
  const step = async (name, body) => {
    try {
      await body();
      results.steps[name] = "ok";
    } catch (error) {
      results.steps[name] = `failed: ${error && error.stack ? error.stack : error}`;
    }
  };
  let document;
  await step("diagnostics", async () => {
    document = await checkDiagnostics(config, results);
  });
  await step("quickFix", () => checkQuickFix(config, results));
  if (document) {
    await step("confirmation", () => checkConfirmation(config, results, document));
    await step("hover", () => checkHover(config, results, document));
    await step("inlayHints", () => checkInlayHints(config, results, document));
    await step("witness", () => checkWitness(config, results, document));
    await step("settings", () => checkSettings(config, results, document));
    await vscode.window.showTextDocument(document, { preview: false });
  }
  results.ok = Object.values(results.steps).every((s) => s === "ok");
  return results;
}

function write(path, data) {
  fs.writeFileSync(`${path}.tmp`, JSON.stringify(data, null, 2));
  fs.renameSync(`${path}.tmp`, path);
}

function activate() {
  const configPath = process.env.AUTOGRAD_LINT_PROBE;
  if (!configPath) {
    return;
  }
  const config = JSON.parse(fs.readFileSync(configPath, "utf8"));
  config.timeoutMs = config.timeoutMs ?? 60000;
  run(config).then(
    (results) => write(config.results, results),
    (error) => write(config.results, { ok: false, error: String(error && error.stack) }),
  );
}

module.exports = { activate, deactivate() {} };
