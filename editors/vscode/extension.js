// Starts `tarn lsp` for Bloblang files and pipeline configs (YAML).
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

function serverPath() {
  const configured = vscode.workspace.getConfiguration('tarn').get('path');
  return typeof configured === 'string' && configured.trim() !== '' ? configured.trim() : 'tarn';
}

function createClient() {
  const run = { command: serverPath(), args: ['lsp'], transport: TransportKind.stdio };
  const serverOptions = { run, debug: run };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'bloblang' },
      { scheme: 'untitled', language: 'bloblang' },
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    outputChannelName: 'Tarn',
  };
  return new LanguageClient('tarn', 'Tarn Bloblang', serverOptions, clientOptions);
}

async function start() {
  client = createClient();
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `Tarn: could not start \`${serverPath()} lsp\` (set "tarn.path"): ${err && err.message ? err.message : err}`
    );
  }
}

async function stop() {
  if (client) {
    const old = client;
    client = undefined;
    await old.stop().catch(() => undefined);
  }
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('tarn.restart', async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('tarn.path')) {
        await stop();
        await start();
      }
    })
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
