/**
 * The "show witness" command: find the autograd-lint finding under the cursor, ask the server
 * for its witness (a short script that reproduces the finding) and show it as a new document.
 *
 * The server does the work (it owns the witness and the runtime check); this module only
 * picks the finding and renders the answer, so it stays small and editor-agnostic in spirit.
 */

import * as vscode from "vscode";

/** The server command that returns a finding's witness. */
export const SHOW_WITNESS = "autograd-lint.showWitness";
/** `Diagnostic.source` of every finding the server publishes. */
export const DIAGNOSTIC_SOURCE = "autograd-lint";

/** Findings of this extension that touch `position`, the ones carrying a witness first. */
export function findingsAt(
  diagnostics: readonly vscode.Diagnostic[],
  position: vscode.Position,
): vscode.Diagnostic[] {
  const ours = diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
  const touching = ours.filter((d) => d.range.contains(position));
  const candidates =
    touching.length > 0 ? touching : ours.filter((d) => d.range.start.line === position.line);
  const hasWitness = (d: vscode.Diagnostic): number => {
    const data = (d as { data?: { witness?: unknown } }).data;
    return data && data.witness === false ? 1 : 0;
  };
  return [...candidates].sort((a, b) => hasWitness(a) - hasWitness(b));
}

/** The witness answer of the server (`autograd-lint.showWitness`), as far as it is known. */
interface WitnessAnswer {
  code?: string;
  message?: string;
  script?: string | null;
  description?: string;
  expectation?: Record<string, unknown> | null;
  verdict?: { status?: string; backend?: string; device?: string; evidence?: string } | null;
}

function commented(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => `# ${line}`);
}

function expectationLine(expectation: Record<string, unknown>): string {
  const parts = Object.entries(expectation)
    .filter(([key, value]) => key !== "control_script" && value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `Expected: ${parts.join(", ")}`;
}

/**
 * Turns the server's answer into the text of the new document: the witness script, headed by
 * comments that say which finding it proves, what replaying it must show and what the
 * runtime check saw. The script stays runnable as it is (the header is only comments).
 */
export function renderWitness(result: unknown): string {
  if (typeof result === "string") {
    return result;
  }
  if (!result || typeof result !== "object") {
    return "# autograd-lint: the server returned no witness for this finding.\n";
  }
  const answer = result as WitnessAnswer;
  if (typeof answer.script !== "string") {
    const header = answer.code ? `${answer.code}: ${answer.message ?? ""}` : "this finding";
    return `# autograd-lint: no witness for ${header}\n`;
  }
  const lines: string[] = [`# autograd-lint ${answer.code ?? ""}: ${answer.message ?? ""}`.trimEnd()];
  lines.push(...commented(answer.description ?? ""));
  if (answer.expectation) {
    lines.push(...commented(expectationLine(answer.expectation)));
  }
  if (answer.verdict && answer.verdict.status) {
    const where = [answer.verdict.backend, answer.verdict.device].filter(Boolean).join(" on ");
    lines.push(`# Runtime check (${where}): ${answer.verdict.status.replace(/_/g, " ")}`);
    lines.push(...commented(answer.verdict.evidence ?? ""));
  }
  lines.push("", answer.script.endsWith("\n") ? answer.script : `${answer.script}\n`);
  return lines.join("\n");
}

/** Which language to show the rendered witness in. */
export function witnessLanguage(result: unknown): string {
  if (result && typeof result === "object") {
    const record = result as Record<string, unknown>;
    if (typeof record.language === "string") {
      return record.language;
    }
    if (typeof record.markdown === "string") {
      return "markdown";
    }
  }
  return "python";
}
