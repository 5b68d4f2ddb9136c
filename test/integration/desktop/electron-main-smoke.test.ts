// Runs the compiled Electron main process (dist/app/main.js) under plain Node, with the
// stand-in `electron` module of test/fixtures/electron-stub/ (loaded by a resolve hook:
// the real `electron` package is never imported, so nothing is downloaded). The engine it
// forks is the real `pinprobe ui`. The stub records what main does as JSON lines and takes
// commands on stdin, so this file can act as Chromium (navigations, window.open,
// permission prompts, IPC from a frame) and as the user (menu clicks, dialogs, closing the
// window). What this cannot prove (rendering, the real sandbox, native dialogs, Electron's
// own utility process) is listed in docs/desktop.md.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MENU_ACTIONS } from '../../../app/menu-template.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MAIN = join(repo, 'dist', 'app', 'main.js');
const LOADER = join(repo, 'test', 'fixtures', 'electron-stub', 'register.mjs');
const ENGINE_ENTRY = join(repo, 'bin', 'pinprobe.js');

interface StubEvent {
  kind: string;
  [key: string]: unknown;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One run of `node --import <stub loader> dist/app/main.js …`. */
class AppRun {
  readonly child: ChildProcess;
  readonly log: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout = '';
  stderr = '';
  private nextId = 1;

  constructor(
    readonly dir: string,
    args: string[],
    env: Record<string, string> = {},
  ) {
    this.log = join(dir, `stub-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`);
    this.child = spawn(process.execPath, ['--import', LOADER, MAIN, ...args], {
      cwd: repo,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PINPROBE_ELECTRON_STUB_LOG: this.log, PINPROBE_ELECTRON_STUB_HOME: join(dir, 'home'), ...env },
    });
    this.child.stdout!.on('data', (c: Buffer) => (this.stdout += c.toString()));
    this.child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  }

  events(kind?: string): StubEvent[] {
    if (!existsSync(this.log)) return [];
    const all = readFileSync(this.log, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as StubEvent);
    return kind ? all.filter((e) => e.kind === kind) : all;
  }

  /** Polls the log until an event of `kind` satisfies `pred`. */
  async waitFor(kind: string, pred: (e: StubEvent) => boolean = () => true, timeoutMs = 10_000): Promise<StubEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events(kind).find(pred);
      if (hit) return hit;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`no ${kind} event in ${timeoutMs} ms.\nstub log:\n${this.summary()}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Sends a command to the stub and returns its result. */
  async command(cmd: string, params: Record<string, unknown> = {}): Promise<StubEvent> {
    const id = this.nextId++;
    this.child.stdin!.write(JSON.stringify({ id, cmd, ...params }) + '\n');
    const result = await this.waitFor('command-result', (e) => e.id === id, 5000);
    if (typeof result.error === 'string' && cmd !== 'ipc-invoke') throw new Error(`stub command ${cmd}: ${result.error}`);
    return result;
  }

  /** Everything the engine with this pid printed on stdout. */
  engineStdout(pid: number): string {
    return this.events('utility-stdout')
      .filter((e) => e.pid === pid)
      .map((e) => e.text as string)
      .join('');
  }

  enginePids(): number[] {
    return this.events('utility-fork').map((e) => e.pid as number);
  }

  summary(): string {
    return this.events()
      .filter((e) => e.kind !== 'utility-stdout')
      .map((e) => JSON.stringify(e).slice(0, 400))
      .join('\n');
  }

  kill(): void {
    for (const pid of this.enginePids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'pinprobe-electron-smoke-'));
const dataDir = join(tmp, 'data');
const runs: AppRun[] = [];

function launch(args: string[], env?: Record<string, string>): AppRun {
  const run = new AppRun(tmp, args, env);
  runs.push(run);
  return run;
}

afterAll(async () => {
  for (const run of runs) run.kill();
  await Promise.all(runs.map((r) => Promise.race([r.exited, new Promise((done) => setTimeout(done, 2000))])));
  rmSync(tmp, { recursive: true, force: true });
});

describe('Electron main process, run under Node with a stand-in electron module', () => {
  let app: AppRun;
  let enginePid: number;
  let uiUrl: string;
  let uiOrigin: string;
  let windowId: number;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npx tsc -p tsconfig.json" first`);
    // --no-sandbox is a Chromium switch: main must not hand it to the engine.
    app = launch(['--port', '0', '--data-dir', dataDir, '--no-sandbox']);
    const load = await app.waitFor('load-url', () => true, 20_000);
    uiUrl = load.url as string;
    uiOrigin = new URL(uiUrl).origin;
    windowId = load.windowId as number;
    enginePid = app.enginePids()[0]!;
  });

  it('starts in Electron order: single-instance lock and sandbox before ready, window only after the engine is up', () => {
    const kinds = app.events().map((e) => e.kind);
    expect(kinds[0]).toBe('stub-loaded'); // `electron` resolved to the stand-in
    const at = (k: string) => kinds.indexOf(k);
    expect(at('app-single-instance-lock')).toBeGreaterThanOrEqual(0);
    expect(app.events('app-single-instance-lock')[0]!.got).toBe(true);
    expect(at('app-enable-sandbox')).toBeGreaterThanOrEqual(0);
    expect(at('app-enable-sandbox')).toBeLessThan(at('app-ready'));
    expect(at('utility-fork')).toBeGreaterThan(at('app-ready'));
    expect(at('window-created')).toBeGreaterThan(at('utility-fork'));
    expect(app.events('window-created')).toHaveLength(1);
  });

  it('runs the real engine out of process: `pinprobe ui --ui-port 0` with the forwarded proxy options only', () => {
    const forks = app.events('utility-fork');
    expect(forks).toHaveLength(1);
    const fork = forks[0]!;
    expect(fork.modulePath).toBe(ENGINE_ENTRY);
    expect(fork.args).toEqual(['ui', '--ui-port', '0', '--port', '0', '--data-dir', dataDir]);
    expect(fork.options).toMatchObject({ stdio: ['ignore', 'pipe', 'pipe'] });
    expect(enginePid).not.toBe(app.child.pid);
    expect(alive(enginePid)).toBe(true);
    expect(app.engineStdout(enginePid)).toMatch(/proxy listening on 0\.0\.0\.0:\d+/);
  });

  it('loads the control API URL the engine printed, and never logs its token', async () => {
    const printed = app
      .engineStdout(enginePid)
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.startsWith('http://127.0.0.1:'));
    expect(printed).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{20,}$/);
    expect(uiUrl).toBe(printed);
    // It is the live control API serving the UI.
    const res = await fetch(`${uiOrigin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toBeTruthy();
    // main's own output says where the UI is, with the token redacted
    const token = new URL(uiUrl).hash.slice('#token='.length);
    expect(app.stdout).toContain(`UI ready at ${uiOrigin}/#token=…`);
    expect(app.stdout + app.stderr).not.toContain(token);
    // shown once the page has loaded (created with show: false)
    await app.waitFor('window-show', (e) => e.windowId === windowId);
  });

  it('creates the window locked down, with the compiled preload', () => {
    const opts = app.events('window-created')[0]!.options as { show: boolean; webPreferences: Record<string, unknown> };
    expect(opts.show).toBe(false);
    expect(opts.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: true, // not packaged
    });
    const preload = opts.webPreferences.preload as string;
    expect(preload).toBe(join(repo, 'dist', 'app', 'preload.cjs'));
    expect(existsSync(preload)).toBe(true);
  });

  it('keeps the window on the UI origin; http(s) links go to the system browser', async () => {
    const nav = (url: string, extra: Record<string, unknown> = {}) => app.command('navigate', { url, ...extra });
    expect((await nav('https://evil.example/phish')).prevented).toBe(true);
    expect((await nav(`${uiOrigin}/#/traffic`)).prevented).toBe(false);
    expect((await nav('file:///etc/passwd')).prevented).toBe(true);
    expect((await nav('https://evil.example/', { event: 'will-redirect' })).prevented).toBe(true);
    expect((await nav('https://ads.example/', { event: 'will-frame-navigate', isMainFrame: false })).prevented).toBe(true);
    expect((await app.command('attach-webview')).prevented).toBe(true);

    const open = async (url: string) => (await app.command('window-open', { url })).response;
    expect(await open('https://developer.android.com/training/articles/security-config')).toEqual({ action: 'deny' });
    expect(await open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(await open(`${uiOrigin}/other`)).toEqual({ action: 'deny' });

    // Only the two foreign http(s) pages went to the browser; file: and javascript: did not.
    expect(app.events('shell-open-external').map((e) => e.url)).toEqual([
      'https://evil.example/phish',
      'https://developer.android.com/training/articles/security-config',
    ]);
  });

  it('denies every permission except clipboard writes from the UI itself', async () => {
    const request = async (permission: string, requestingUrl: string) =>
      (await app.command('permission-request', { permission, requestingUrl })).granted;
    const check = async (permission: string, requestingOrigin: string) =>
      (await app.command('permission-check', { permission, requestingOrigin })).granted;
    for (const p of ['geolocation', 'notifications', 'media', 'clipboard-read', 'openExternal', 'fullscreen']) {
      expect(await request(p, `${uiOrigin}/`), p).toBe(false);
      expect(await check(p, uiOrigin), p).toBe(false);
    }
    expect(await request('clipboard-sanitized-write', `${uiOrigin}/`)).toBe(true);
    expect(await check('clipboard-sanitized-write', uiOrigin)).toBe(true);
    expect(await request('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(await check('clipboard-sanitized-write', 'http://127.0.0.1:1')).toBe(false);
    expect((await app.command('device-permission', { origin: uiOrigin })).granted).toBe(false);
    // the UI on loopback never goes through a system proxy
    expect(app.events('session-set-proxy').map((e) => e.config)).toEqual([{ mode: 'direct' }]);
  });

  it('builds the documented native menu, and its items reach the renderer', async () => {
    type Item = { label?: string; role?: string; type?: string; accelerator?: string; submenu?: Item[] };
    const menus = app.events('menu-set-application-menu');
    expect(menus).toHaveLength(1);
    const menu = menus[0]!.menu as Item[];
    const top = (name: string) => menu.find((m) => m.label === name || m.role === name)!;
    expect(menu.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'View', 'help']);

    const file = top('File').submenu!;
    expect(file.map((i) => i.label ?? i.role ?? i.type)).toEqual(['New Session', 'Open Session…', 'Save Session As…', 'Export', 'separator', 'Quit']);
    expect(file.slice(0, 3).map((i) => i.accelerator)).toEqual(['CmdOrCtrl+N', 'CmdOrCtrl+O', 'CmdOrCtrl+Shift+S']);
    expect(file[5]!.role).toBe('quit');
    const exportMenu = file[3]!.submenu!;
    expect(exportMenu.map((i) => i.label)).toEqual(['HAR…', 'HTML Report…', 'JSON Report…', 'JUnit Report…']);
    expect(exportMenu[0]!.accelerator).toBe('CmdOrCtrl+E');
    expect(top('View').submenu!.map((i) => i.role ?? i.type)).toEqual([
      'reload',
      'toggleDevTools',
      'separator',
      'resetZoom',
      'zoomIn',
      'zoomOut',
      'separator',
      'togglefullscreen',
    ]);

    const clicks: [string[], string][] = [
      [['File', 'New Session'], 'new-session'],
      [['File', 'Open Session…'], 'open-session'],
      [['File', 'Save Session As…'], 'save-session-as'],
      [['File', 'Export', 'HAR…'], 'export-har'],
      [['File', 'Export', 'HTML Report…'], 'export-html'],
      [['File', 'Export', 'JSON Report…'], 'export-json'],
      [['File', 'Export', 'JUnit Report…'], 'export-junit'],
      [['help', 'Connect a Device…'], 'show-setup'],
    ];
    for (const [path] of clicks) expect((await app.command('click-menu', { path })).clicked, path.join(' › ')).toBe(true);
    const sent = app.events('webcontents-send');
    expect(sent.map((e) => e.channel)).toEqual(clicks.map(() => 'pinprobe:menu'));
    expect(sent.map((e) => (e.args as string[])[0])).toEqual(clicks.map(([, action]) => action));
    expect([...MENU_ACTIONS].sort()).toEqual(clicks.map(([, a]) => a).sort());
  });

  it("answers the preload's two dialog channels only for the UI's top frame, with sanitised options", async () => {
    expect(app.events('ipc-handle').map((e) => e.channel)).toEqual(['pinprobe:open-file', 'pinprobe:save-file']);
    const picked = join(tmp, 'exports', 'out.har');
    await app.command('dialog-answers', { saveFile: picked, openFile: null });

    const save = await app.command('ipc-invoke', {
      channel: 'pinprobe:save-file',
      frameUrl: `${uiOrigin}/`,
      args: [{ title: 'Export HAR', defaultPath: '../../etc/cron.d/evil.har', filters: [{ name: 'HAR', extensions: ['har', '../x'] }] }],
    });
    expect(save.error).toBeUndefined();
    expect(save.value).toBe(picked);
    const shown = app.events('dialog-save').at(-1)!;
    expect(shown.windowId).toBe(windowId);
    expect(shown.options).toEqual({
      title: 'Export HAR',
      filters: [{ name: 'HAR', extensions: ['har'] }],
      defaultPath: join(tmp, 'home', 'documents', 'evil.har'),
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });

    // cancelled open dialog → null; it starts in the folder of the last save
    const open = await app.command('ipc-invoke', { channel: 'pinprobe:open-file', frameUrl: `${uiOrigin}/`, args: [{}] });
    expect(open.value).toBeNull();
    expect(app.events('dialog-open').at(-1)!.options).toMatchObject({ properties: ['openFile'], defaultPath: join(tmp, 'exports') });

    const dialogsBefore = app.events('dialog-save').length + app.events('dialog-open').length;
    for (const refused of [
      { frameUrl: 'https://evil.example/' },
      { frameUrl: `${uiOrigin}/`, subframe: true },
      { frameUrl: null },
    ]) {
      const r = await app.command('ipc-invoke', { channel: 'pinprobe:save-file', args: [{}], ...refused });
      expect(r.error, JSON.stringify(refused)).toMatch(/refused: not the Pinprobe UI/);
    }
    expect(app.events('dialog-save').length + app.events('dialog-open').length).toBe(dialogsBefore);
  });

  it('focuses the existing window when a second copy is started', async () => {
    const before = app.events('window-focus').length;
    await app.command('second-instance');
    expect(app.events('window-focus').length).toBe(before + 1);
  });

  it('offers to restart an engine that died, and loads the new URL', async () => {
    await app.command('dialog-answers', { messageBox: [0] }); // "Restart Engine"
    process.kill(enginePid, 'SIGKILL');
    const box = await app.waitFor('dialog-message-box', (e) => (e.options as { title: string }).title === 'Pinprobe: engine stopped');
    expect((box.options as { buttons: string[] }).buttons).toEqual(['Restart Engine', 'Quit']);
    const refork = await app.waitFor('utility-fork', (e) => e.pid !== enginePid);
    expect(refork.args).toEqual(['ui', '--ui-port', '0', '--port', '0', '--data-dir', dataDir]);
    const reload = await app.waitFor('load-url', (e) => e.url !== uiUrl);
    expect(reload.windowId).toBe(windowId); // the same window
    const newUrl = reload.url as string;
    expect(app.engineStdout(refork.pid as number)).toContain(`\n${newUrl}\n`);
    expect(alive(enginePid)).toBe(false);
    // the navigation rules follow the new origin
    enginePid = refork.pid as number;
    uiOrigin = new URL(newUrl).origin;
    expect((await app.command('navigate', { url: `${uiOrigin}/` })).prevented).toBe(false);
    expect((await app.command('permission-check', { permission: 'clipboard-sanitized-write', requestingOrigin: uiOrigin })).granted).toBe(true);
  });

  it('closing the window quits: the engine gets SIGTERM, finishes its session file and exits before the app does', async () => {
    const sessionFile = /Recording to: (.+)\n/.exec(app.engineStdout(enginePid))?.[1];
    expect(sessionFile).toBeTruthy();
    await app.command('close-window');
    const { code } = await app.exited;
    expect(code).toBe(0);

    const events = app.events();
    const index = (pred: (e: StubEvent) => boolean) => events.findIndex(pred);
    const closed = index((e) => e.kind === 'app-window-all-closed');
    const quit = index((e) => e.kind === 'app-quit');
    const prevented = index((e) => e.kind === 'app-before-quit-prevented');
    const killed = index((e) => e.kind === 'utility-kill' && e.pid === enginePid);
    const engineExit = index((e) => e.kind === 'utility-exit' && e.pid === enginePid);
    const appExit = index((e) => e.kind === 'app-exit');
    expect([closed, quit, prevented, killed, engineExit, appExit].every((i) => i >= 0), app.summary()).toBe(true);
    expect(closed).toBeLessThan(quit);
    expect(quit).toBeLessThan(killed);
    expect(killed).toBeLessThan(engineExit);
    expect(engineExit).toBeLessThan(appExit);
    expect(events[killed]!.signal).toBe('SIGTERM');
    expect(events[engineExit]).toMatchObject({ code: 0, signal: null });
    expect(events[appExit]!.code).toBe(0);
    expect(app.events('utility-killed-at-exit')).toEqual([]);
    expect(alive(enginePid)).toBe(false);

    const lines = readFileSync(sessionFile!, 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'session-end' });
  });
});

describe('Electron main process: other starts and stops', () => {
  let busy: Server;

  afterAll(() => {
    busy?.close();
  });

  it('explains a busy proxy port in a dialog and quits when told to, without a window', async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '0.0.0.0', r));
    const port = (busy.address() as { port: number }).port;
    const app = launch(['--port', String(port), '--data-dir', dataDir]); // the stub answers dialogs with cancelId: Quit
    const { code } = await app.exited;
    expect(code).toBe(0);
    const box = app.events('dialog-message-box')[0]!;
    const opts = box.options as { title: string; message: string; buttons: string[]; cancelId: number };
    expect(opts.title).toBe('Pinprobe: Port in use');
    expect(opts.message).toContain(`port ${port}`);
    expect(opts.buttons).toEqual([`Use port ${port + 1}`, 'Retry', 'Quit']);
    expect(box.response).toBe(opts.cancelId);
    expect(app.events('window-created')).toEqual([]);
    expect(app.events('app-exit')).toEqual([expect.objectContaining({ code: 0 })]);
    for (const pid of app.enginePids()) expect(alive(pid)).toBe(false);
  });

  it('packaged: no DevTools; SIGTERM (Ctrl+C under npm start, OS shutdown) stops the engine cleanly', async () => {
    // A packaged app's argv has no app path: [Pinprobe, …options]; here argv[1] is main.js,
    // which must not be forwarded either.
    const app = launch(['--port', '0', '--data-dir', dataDir], { PINPROBE_ELECTRON_STUB_PACKAGED: '1' });
    const created = await app.waitFor('window-created', () => true, 20_000);
    const fork = app.events('utility-fork')[0]!;
    expect(fork.args).toEqual(['ui', '--ui-port', '0', '--port', '0', '--data-dir', dataDir]);
    expect((created.options as { webPreferences: { devTools: boolean } }).webPreferences.devTools).toBe(false);
    const view = (app.events('menu-set-application-menu')[0]!.menu as { label?: string; submenu?: { role?: string }[] }[]).find((m) => m.label === 'View')!;
    expect(view.submenu!.map((i) => i.role)).not.toContain('toggleDevTools');

    const pid = fork.pid as number;
    const sessionFile = /Recording to: (.+)\n/.exec(app.engineStdout(pid))?.[1];
    app.child.kill('SIGTERM');
    const { code } = await app.exited;
    expect(code).toBe(0);
    expect(app.events('app-signal')).toEqual([expect.objectContaining({ signal: 'SIGTERM' })]);
    expect(app.events('utility-kill').map((e) => e.pid)).toEqual([pid]);
    expect(app.events('utility-exit')).toEqual([expect.objectContaining({ pid, code: 0, signal: null })]);
    expect(app.events('utility-killed-at-exit')).toEqual([]);
    expect(alive(pid)).toBe(false);
    expect(readFileSync(sessionFile!, 'utf8').trim().split('\n').at(-1)).toContain('"type":"session-end"');
  });

  it('Quit during an export to a slow disk waits past the usual 5 s for the engine to finish the file', async () => {
    const app = launch(['--port', '0', '--data-dir', join(tmp, 'data-export')]);
    const load = await app.waitFor('load-url', () => true, 20_000);
    const { origin, hash } = new URL(load.url as string);
    const token = new URLSearchParams(hash.slice(1)).get('token')!;
    const fifo = join(tmp, 'slow-export.har');
    execFileSync('mkfifo', [fifo]);
    // The window's File › Export: the engine writes the file; its reader (the slow disk) comes 6.5 s later.
    const saved = fetch(`${origin}/api/export/save`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', origin },
      body: JSON.stringify({ format: 'har', path: fifo, overwrite: true }),
    }).catch(() => null);
    await new Promise((r) => setTimeout(r, 300));
    app.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 6500));
    const read = spawnSync('timeout', ['5', 'cat', fifo], { encoding: 'utf8' });
    const { code } = await app.exited;
    await saved;
    expect((JSON.parse(read.stdout) as { log: { entries: unknown[] } }).log.entries, app.summary()).toEqual(expect.any(Array));
    expect(code).toBe(0);
    expect(app.events('utility-killed-at-exit')).toEqual([]);
    expect(app.events('utility-exit')).toEqual([expect.objectContaining({ code: 0, signal: null })]);
  });

  it('a second copy quits at once and starts no engine', async () => {
    const app = launch(['--port', '0', '--data-dir', dataDir], { PINPROBE_ELECTRON_STUB_LOCK: 'taken' });
    const { code } = await app.exited;
    expect(code).toBe(0);
    expect(app.events('app-quit')).toHaveLength(1);
    expect(app.events('utility-fork')).toEqual([]);
    expect(app.events('app-enable-sandbox')).toEqual([]);
  });
});
