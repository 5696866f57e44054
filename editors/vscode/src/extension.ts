/**
 * VS Code entry point: starts the autograd-lint language server and wires its settings and
 * the "show witness" command. All linting, fixes and hovers come from the server; this file
 * only decides how to start it and how to talk to it.
 */

import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  DocumentDiagnosticRequest,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

import {
  ExtensionSettings,
  SECTION,
  needsRestart,
  readSettings,
  serverCommand,
  serverSettings,
} from "./settings";
import { SHOW_WITNESS, findingsAt, renderWitness, witnessLanguage } from "./witness";

let client: LanguageClient | undefined;
let current: ExtensionSettings | undefined;
let fallbackCommand: vscode.Disposable | undefined;

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) {
        return candidate;
      }
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

function settingsNow(): ExtensionSettings {
  return readSettings(vscode.workspace.getConfiguration(SECTION));
}

function createClient(settings: ExtensionSettings): LanguageClient {
  const { command, args } = serverCommand(settings, findOnPath);
  const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
      { notebook: "*", language: "python" },
    ],
    // Settings go to the server at start, and on change through sendSettings (below).
    initializationOptions: { [SECTION]: serverSettings(settings) },
    middleware: {
      // The server advertises showWitness, so the client registers a command of that name;
      // route it to the handler that picks the finding and opens the result.
      executeCommand: async (name, args, next) =>
        name === SHOW_WITNESS ? showWitness(args) : next(name, args),
    },
  };
  return new LanguageClient(SECTION, "autograd-lint", serverOptions, clientOptions);
}

async function startClient(): Promise<void> {
  current = settingsNow();
  client = createClient(current);
  await client.start();
  const advertised = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  if (!advertised.includes(SHOW_WITNESS) && fallbackCommand === undefined) {
    // An older server that does not list the command: still offer it from the palette.
    fallbackCommand = vscode.commands.registerCommand(SHOW_WITNESS, (...args: unknown[]) =>
      showWitness(args),
    );
  }
}

/**
 * Tells the running server about changed settings, then asks it again for the diagnostics of
 * open documents. The second step matters for a server in pull-diagnostics mode: it relints
 * on the new settings, but the editor would otherwise keep showing the old findings until the
 * next edit. The notification is written before the pulls, so they see the new settings.
 */
async function sendSettings(running: LanguageClient, settings: ExtensionSettings): Promise<void> {
  await running.sendNotification(DidChangeConfigurationNotification.type, {
    settings: { [SECTION]: serverSettings(settings) },
  });
  const pulls = running.getFeature(DocumentDiagnosticRequest.method);
  const providers = new Set<{ onDidChangeDiagnosticsEmitter: vscode.EventEmitter<void> }>();
  for (const document of vscode.workspace.textDocuments) {
    const provider = pulls?.getProvider(document);
    if (provider) {
      providers.add(provider);
    }
  }
  providers.forEach((provider) => provider.onDidChangeDiagnosticsEmitter.fire());
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  fallbackCommand?.dispose();
  fallbackCommand = undefined;
  if (running) {
    await running.stop();
  }
}

async function showWitness(args: unknown[]): Promise<unknown> {
  if (!client) {
    void vscode.window.showWarningMessage("autograd-lint: the server is not running.");
    return undefined;
  }
  let request: unknown = args.length > 0 ? args[0] : undefined;
  if (request === undefined) {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage("autograd-lint: open a Python file first.");
      return undefined;
    }
    const position = editor.selection.active;
    const [finding] = findingsAt(vscode.languages.getDiagnostics(editor.document.uri), position);
    if (!finding) {
      void vscode.window.showInformationMessage("autograd-lint: no finding under the cursor.");
      return undefined;
    }
    // The server finds the finding again by its range and code.
    request = {
      uri: client.code2ProtocolConverter.asUri(editor.document.uri),
      range: client.code2ProtocolConverter.asRange(finding.range),
      code: typeof finding.code === "object" ? String(finding.code.value) : finding.code,
    };
  }
  const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, {
    command: SHOW_WITNESS,
    arguments: [request],
  });
  const document = await vscode.workspace.openTextDocument({
    language: witnessLanguage(result),
    content: renderWitness(result),
  });
  await vscode.window.showTextDocument(document, { preview: false });
  return result;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("autograd-lint.restart", async () => {
      await stopClient();
      await startClient();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration(SECTION) || current === undefined) {
        return;
      }
      const next = settingsNow();
      if (needsRestart(current, next)) {
        // A new executable or interpreter needs a new process.
        await stopClient();
        await startClient();
      } else if (client) {
        current = next;
        await sendSettings(client, next);
      }
    }),
  );
  try {
    await startClient();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `autograd-lint: could not start the server (${message}). ` +
        "Set autograd-lint.path or autograd-lint.interpreter.",
    );
  }
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
