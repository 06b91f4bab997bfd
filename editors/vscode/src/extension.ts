// The Concord extension: starts `concord lsp` for `.concord` files and restarts it when
// `concord.path` changes or on the "Concord: Restart Language Server" command. Everything the
// editor shows about a rulebook (diagnostics, hover, definitions, completion, formatting, ...)
// comes from the language server; the extension itself only launches it.

import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("Concord", { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("concord.restartServer", restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("concord.path")) {
        void restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

/// The binary to run: the `concord.path` setting, or `concord` on `PATH`.
function serverPath(): string {
  const configured = vscode.workspace.getConfiguration("concord").get<string>("path")?.trim();
  return configured ? configured : "concord";
}

async function start(): Promise<void> {
  const command = serverPath();
  const serverOptions: ServerOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "concord" },
      { scheme: "untitled", language: "concord" },
    ],
    outputChannel: output,
  };
  client = new LanguageClient("concord", "Concord Language Server", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const message = error instanceof Error ? error.message : String(error);
    const action = await vscode.window.showErrorMessage(
      `Concord: cannot start the language server \`${command} lsp\`: ${message}. ` +
        "Install concord or set `concord.path` to the binary.",
      "Open Settings",
    );
    if (action === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "concord.path");
    }
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}
