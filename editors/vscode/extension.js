// The tenet extension: starts `tenet lsp` and connects it to .tenet files (and, unless
// switched off, to YAML case and facts files, which the server checks when they name a
// policy). Highlighting comes from syntaxes/tenet.tmLanguage.json without the server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("tenet");
  const command = config.get("path", "tenet");
  const selector = [{ scheme: "file", language: "tenet" }];
  if (config.get("checkCaseFiles", true)) {
    selector.push({ scheme: "file", language: "yaml" });
  }
  client = new LanguageClient(
    "tenet",
    "tenet",
    { command, args: ["lsp"] },
    {
      documentSelector: selector,
      // The files policies read: a change on disk has the server check them again.
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{csv,yaml,yml}") },
    }
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `tenet lsp 无法启动 · could not start \`${command} lsp\`: ${error.message}. ` +
        "Install tenet (cargo install --path crates/cli) or set tenet.path."
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
