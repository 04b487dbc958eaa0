// The client: starts `escher lsp` on stdio for .esc files. Everything else is the server's (docs/lsp.md).
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("escher").get("path") || "escher";
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "escher",
    "Escher",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "escher" }, { scheme: "untitled", language: "escher" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
