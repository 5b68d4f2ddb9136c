// Electron main process of the desktop app. It starts the engine (`pinprobe ui`) in a
// utility process, opens one locked-down window on the UI URL the engine prints, and owns
// the native menu and file dialogs. See docs/desktop.md.
import { BrowserWindow, Menu, app, dialog, shell } from 'electron';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineArgs, forwardedProxyArgs, proxyPortOf, userArgs, withProxyPort } from './engine-args.js';
import { EngineProcess, EngineStartError, type EngineReady } from './engine-process.js';
import { explainEngineFailure, redactToken } from './engine-output.js';
import { CHANNELS, registerIpc } from './ipc.js';
import { menuTemplate, type MenuAction } from './menu-template.js';
import { createUiWindow, lockDownSession, lockDownWebContents } from './window.js';

const here = dirname(fileURLToPath(import.meta.url));
const ENGINE_START_TIMEOUT_MS = 30_000;

let engine: EngineProcess | null = null;
let ui: EngineReady | null = null;
let win: BrowserWindow | null = null;
let proxyArgs: string[] = [];
let quitting = false;

const uiOrigin = (): string | null => ui?.origin ?? null;

function readDocsUrl(): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(app.getAppPath(), 'package.json'), 'utf8')) as { homepage?: unknown };
    return typeof pkg.homepage === 'string' && /^https:\/\//.test(pkg.homepage) ? pkg.homepage : null;
  } catch {
    return null;
  }
}

function sendMenuAction(action: MenuAction): void {
  const target = BrowserWindow.getFocusedWindow() ?? win;
  if (target && ui && !target.isDestroyed()) target.webContents.send(CHANNELS.menu, action);
}

/** Starts the engine; on failure explains why and offers to retry (maybe on another port). */
async function startEngine(): Promise<EngineReady | null> {
  for (;;) {
    const proc = new EngineProcess({
      entry: join(app.getAppPath(), 'bin', 'pinprobe.js'),
      args: engineArgs(proxyArgs),
      proxyPort: proxyPortOf(proxyArgs),
      timeoutMs: ENGINE_START_TIMEOUT_MS,
      onUnexpectedExit: (code, stderr) => void engineDied(code, stderr),
    });
    try {
      const ready = await proc.start();
      engine = proc;
      return ready;
    } catch (err) {
      await proc.stop(1000);
      const failure =
        err instanceof EngineStartError
          ? err.failure
          : { kind: 'spawn' as const, stderr: String(err), proxyPort: proxyPortOf(proxyArgs) };
      const why = explainEngineFailure(failure);
      const buttons = why.suggestPort ? [`Use port ${why.suggestPort}`, 'Retry', 'Quit'] : ['Retry', 'Quit'];
      const { response } = await dialog.showMessageBox({
        type: 'error',
        title: `Pinprobe: ${why.title}`,
        message: why.message,
        detail: why.detail,
        buttons,
        defaultId: 0,
        cancelId: buttons.length - 1,
        noLink: true,
      });
      const choice = buttons[response];
      if (choice === 'Quit' || choice === undefined) return null;
      if (why.suggestPort && choice === buttons[0]) proxyArgs = withProxyPort(proxyArgs, why.suggestPort);
    }
  }
}

async function engineDied(code: number, stderr: string): Promise<void> {
  engine = null;
  if (quitting) return;
  const tail = redactToken(stderr).split('\n').slice(-12).join('\n');
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: 'Pinprobe: engine stopped',
    message: `Pinprobe's engine stopped unexpectedly (exit code ${code}). The proxy is not running.`,
    detail: `${tail || 'It printed nothing on stderr.'}\n\nThe session file written so far is kept; reopen it from File › Open Session.`,
    buttons: ['Restart Engine', 'Quit'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  });
  if (response !== 0) {
    app.quit();
    return;
  }
  ui = await startEngine();
  if (!ui) {
    app.quit();
    return;
  }
  if (win && !win.isDestroyed()) await win.loadURL(ui.url);
  else openWindow();
}

function openWindow(): void {
  if (!ui) return;
  const icon = join(app.getAppPath(), 'build', 'icon.png');
  win = createUiWindow({ preload: join(here, 'preload.cjs'), ...(existsSync(icon) ? { icon } : {}) });
  win.on('closed', () => {
    win = null;
  });
  void win.loadURL(ui.url);
}

async function boot(): Promise<void> {
  proxyArgs = forwardedProxyArgs(userArgs(process.argv, app.isPackaged));
  lockDownWebContents(uiOrigin);
  await lockDownSession(uiOrigin);
  registerIpc(uiOrigin);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        isPackaged: app.isPackaged,
        platform: process.platform,
        send: sendMenuAction,
        docsUrl: readDocsUrl(),
        openExternal: (url) => void shell.openExternal(url),
      }),
    ),
  );
  ui = await startEngine();
  if (!ui) {
    app.quit();
    return;
  }
  openWindow();
}

if (!app.requestSingleInstanceLock()) {
  // A second copy would fight over the proxy port: focus the first one instead.
  app.quit();
} else {
  app.enableSandbox();
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!win && ui) openWindow();
  });
  // Stop the engine first so it finishes writing the session, then quit for real.
  app.on('before-quit', (event) => {
    quitting = true;
    if (engine?.running) {
      event.preventDefault();
      const stopping = engine;
      engine = null;
      void stopping.stop().finally(() => app.quit());
    }
  });
  // Ctrl-C in the terminal of `npm start` (which scripts/start.js forwards again), SIGTERM
  // or a closed terminal: quit through before-quit so the engine finishes the session.
  // Repeats while it stops are ignored; a second quit would not wait for the engine.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (!quitting) app.quit();
    });
  }
  app
    .whenReady()
    .then(boot)
    .catch((err: unknown) => {
      dialog.showErrorBox('Pinprobe could not start', err instanceof Error ? (err.stack ?? err.message) : String(err));
      app.exit(1);
    });
}
