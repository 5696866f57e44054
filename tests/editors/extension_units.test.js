// Unit tests of the VS Code extension's plain logic (settings, server command line, witness
// rendering), run with node's test runner on an esbuild bundle of the TypeScript sources.
// usage: node --test extension_units.test.js  (with EXTENSION_BUNDLE_DIR set; see
// test_extension_units.py, which builds the bundles).
"use strict";

const assert = require("node:assert/strict");
const path = require("node:path");
const { test } = require("node:test");

const bundles = process.env.EXTENSION_BUNDLE_DIR;
const settings = require(path.join(bundles, "settings.js"));
const witness = require(path.join(bundles, "witness.js"));

/** A stand-in for vscode.WorkspaceConfiguration: `values` are what the user set. */
function configuration(values, defaults = {}) {
  return {
    get: (key) => (key in values ? values[key] : defaults[key]),
    inspect: (key) => ({ defaultValue: defaults[key], globalValue: values[key] }),
  };
}

const DEFAULTS = { select: [], ignore: [], runtimeCheck: "mini", device: "cpu", path: "" };

test("only settings the user set are sent to the server", () => {
  const read = settings.readSettings(configuration({ ignore: ["AG005"] }, DEFAULTS));
  assert.deepEqual(settings.serverSettings(read), { ignore: ["AG005"] });
});

test("nothing set sends nothing, so the project's table decides", () => {
  const read = settings.readSettings(configuration({}, DEFAULTS));
  assert.deepEqual(settings.serverSettings(read), {});
  assert.equal(read.runtimeCheck, "mini");
});

test("inlay hints are sent only when set, and only as a boolean", () => {
  const on = settings.readSettings(configuration({ inlayHints: true }, DEFAULTS));
  assert.deepEqual(settings.serverSettings(on), { inlayHints: true });
  const off = settings.readSettings(configuration({ inlayHints: false }, DEFAULTS));
  assert.deepEqual(settings.serverSettings(off), { inlayHints: false });
  const odd = settings.readSettings(configuration({ inlayHints: "yes" }, DEFAULTS));
  assert.equal(odd.inlayHints, false);
});

test("malformed values fall back to the defaults", () => {
  const read = settings.readSettings(
    configuration({ runtimeCheck: "always", device: 3, select: "AG001, AG002 ,," }, DEFAULTS),
  );
  assert.equal(read.runtimeCheck, "mini");
  assert.equal(read.device, "cpu");
  assert.deepEqual(read.select, ["AG001", "AG002"]);
});

test("server command: path, then interpreter, then PATH, then python3", () => {
  const base = settings.readSettings(configuration({}, DEFAULTS));
  const nothingOnPath = () => undefined;
  const onPath = (name) => `/usr/local/bin/${name}`;
  assert.deepEqual(settings.serverCommand({ ...base, path: "/opt/al", interpreter: "/py" }, onPath), {
    command: "/opt/al",
    args: ["server"],
  });
  assert.deepEqual(settings.serverCommand({ ...base, interpreter: "/venv/bin/python" }, onPath), {
    command: "/venv/bin/python",
    args: ["-m", "autograd_lint", "server"],
  });
  assert.deepEqual(settings.serverCommand(base, onPath), {
    command: "/usr/local/bin/autograd-lint",
    args: ["server"],
  });
  assert.deepEqual(settings.serverCommand(base, nothingOnPath), {
    command: "python3",
    args: ["-m", "autograd_lint", "server"],
  });
});

test("only a new executable or interpreter needs a new server process", () => {
  const base = settings.readSettings(configuration({}, DEFAULTS));
  assert.equal(settings.needsRestart(base, { ...base, ignore: ["AG001"] }), false);
  assert.equal(settings.needsRestart(base, { ...base, interpreter: "/py" }), true);
  assert.equal(settings.needsRestart(base, { ...base, path: "/al" }), true);
});

test("a witness renders as comments over a runnable script", () => {
  const text = witness.renderWitness({
    code: "AG002",
    message: "in-place zero_() on an alias",
    script: "import torch\nx = 1\n",
    description: "backward raises\nafter the write",
    expectation: { kind: "raises", exception: "RuntimeError", control_script: "ignored" },
    verdict: { status: "not_reproduced", backend: "torch", device: "cpu", evidence: "" },
  });
  const [header, script] = text.split("\n\n");
  assert.deepEqual(header.split("\n"), [
    "# autograd-lint AG002: in-place zero_() on an alias",
    "# backward raises",
    "# after the write",
    '# Expected: kind="raises", exception="RuntimeError"',
    "# Runtime check (torch on cpu): not reproduced",
  ]);
  assert.equal(script, "import torch\nx = 1\n");
});

test("a finding without a witness says so", () => {
  assert.match(
    witness.renderWitness({ code: "AG003", message: "m", script: null }),
    /^# autograd-lint: no witness for AG003/,
  );
  assert.match(witness.renderWitness(undefined), /no witness/);
});
