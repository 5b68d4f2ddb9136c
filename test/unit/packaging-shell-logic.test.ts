// The desktop shell's decisions that do not need Electron: which arguments reach the
// engine, how its URL line is recognised, what a failed start tells the user, what the
// renderer may ask of the file dialogs, and the menu's shape. (Nothing imports electron:
// app/menu-template.ts only uses its types.)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { addProxyOptions, engineOptions, type ProxyCliOptions } from '../../proxy/cli-options.js';
import { DEFAULT_SETTINGS, proxyOptionFlags, SETTINGS, START_OPTIONS, type SettingKey } from '../../proxy/settings.js';
import { engineArgs, forwardedProxyArgs, proxyPortOf, userArgs, withProxyPort } from '../../app/engine-args.js';
import { LineSplitter, UI_URL_LINE, explainEngineFailure, redactToken } from '../../app/engine-output.js';
import { isExternalWebUrl, isUiOrigin, parseOpenRequest, parseSaveRequest } from '../../app/dialog-options.js';
import { MENU_ACTIONS, menuTemplate, type MenuAction } from '../../app/menu-template.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('engine arguments', () => {
  it('takes what follows the app path, dropping a leading --', () => {
    expect(userArgs(['/x/electron', '.', '--port', '9090'], false)).toEqual(['--port', '9090']);
    expect(userArgs(['/opt/Pinprobe/pinprobe', '--', '--port', '9090'], true)).toEqual(['--port', '9090']);
  });

  it("forwards only the proxy's options, in both spellings", () => {
    const args = forwardedProxyArgs([
      '--no-sandbox',
      '--port',
      '9090',
      '--scenario=expired',
      '--inspect=9229',
      '--passthrough',
      '*.apple.com',
      '--upstream-insecure',
      '--ui-port',
      '5',
      '--ozone-platform=wayland',
    ]);
    expect(args).toEqual(['--port', '9090', '--scenario=expired', '--passthrough', '*.apple.com', '--upstream-insecure']);
    expect(engineArgs(args)).toEqual(['ui', '--ui-port', '0', ...args]);
  });

  // One example per setting; typed by the settings table, so a new setting cannot be left out.
  const EXAMPLES: Record<SettingKey, string | null> = {
    scenario: 'expired',
    passthrough: '*.apple.com',
    mapRemote: 'api.example=127.0.0.1:8443',
    upstreamCa: join(repo, 'package.json'),
    upstreamInsecure: null,
    clientCerts: 'api.example=/x/cert.pem,/x/key.pem',
    autoPassthrough: null,
    expectMtls: '*.bank.test',
    requestClientCert: null,
    deviceTrustsCa: '192.168.1.50',
    idleTimeout: '45',
    handshakeTimeout: '2.5',
    headersTimeout: '12',
    upstreamTimeout: '75',
    tunnelIdleTimeout: '90',
    maxConnections: '300',
    maxConnectionsPerClient: '40',
  };

  it('forwards every option of the settings table, and the engine gets each setting', () => {
    for (const spelling of ['separate', 'joined'] as const) {
      const args: string[] = ['--port', '9090', '--listen=127.0.0.1', '--data-dir', '/tmp/d', '--record', '/tmp/r.jsonl'];
      for (const def of SETTINGS) {
        const value = EXAMPLES[def.key];
        if (value === null) args.push(def.flag);
        else if (spelling === 'joined') args.push(`${def.flag}=${value}`);
        else args.push(def.flag, value);
      }
      const forwarded = forwardedProxyArgs(['--no-sandbox', ...args, '--inspect=9229']);
      expect(forwarded).toEqual(args);
      const cmd = addProxyOptions(new Command().exitOverride());
      cmd.parse(forwarded, { from: 'user' });
      const o = engineOptions(cmd.opts<ProxyCliOptions>(), 'test');
      expect(o).toMatchObject({ port: 9090, listen: '127.0.0.1', dataDir: '/tmp/d', record: '/tmp/r.jsonl' });
      // Every setting was applied: none is left at its default.
      for (const def of SETTINGS) expect(o.settings?.[def.key], def.flag).not.toEqual(DEFAULT_SETTINGS[def.key]);
    }
    expect(proxyOptionFlags().map((o) => o.flag)).toEqual([...START_OPTIONS.map((o) => o.flag), ...SETTINGS.map((d) => d.flag)]);
  });

  it('knows the proxy port and can change it', () => {
    expect(proxyPortOf([])).toBe(8080);
    expect(proxyPortOf(['--port', '9090'])).toBe(9090);
    expect(proxyPortOf(['--port=7000'])).toBe(7000);
    expect(withProxyPort(['--port', '9090', '--scenario', 'trusted'], 9091)).toEqual(['--scenario', 'trusted', '--port', '9091']);
  });
});

describe('engine output', () => {
  it('recognises the UI URL line only', () => {
    expect(UI_URL_LINE.test('http://127.0.0.1:43121/#token=abc')).toBe(true);
    expect(UI_URL_LINE.test('UI: http://127.0.0.1:43121/#token=abc')).toBe(false);
    expect(UI_URL_LINE.test('http://0.0.0.0:8080/')).toBe(false);
  });

  it('splits chunks into lines', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('proxy listening on 0.0.0.0:8080\r\nhttp://127.0.0.1:1/');
    s.push('#token=x\n');
    expect(lines).toEqual(['proxy listening on 0.0.0.0:8080', 'http://127.0.0.1:1/#token=x']);
  });

  it('never shows the token', () => {
    expect(redactToken('open http://127.0.0.1:1/#token=deadbeef now')).toBe('open http://127.0.0.1:1/#token=… now');
  });

  it('explains a busy port and which option to use', () => {
    const why = explainEngineFailure({
      kind: 'exit',
      code: 2,
      stderr: 'pinprobe: cannot listen on 0.0.0.0:8080: EADDRINUSE (address already in use)\n',
      proxyPort: 8080,
    });
    expect(why.message).toContain('port 8080');
    expect(why.message).toContain('already using it');
    expect(why.detail).toContain('--port');
    expect(why.detail).toContain('npm start -- --port 8081');
    expect(why.suggestPort).toBe(8081);
  });

  it('explains a timeout and an early exit', () => {
    expect(explainEngineFailure({ kind: 'timeout', stderr: '', proxyPort: 8080, timeoutMs: 30_000 }).message).toContain('30 seconds');
    const exit = explainEngineFailure({ kind: 'exit', code: 2, stderr: 'pinprobe: --scenario: unknown scenario "x"\n', proxyPort: 8080 });
    expect(exit.message).toContain('code 2');
    expect(exit.detail).toContain('unknown scenario');
  });
});

describe('dialog requests from the renderer', () => {
  it('keeps a title and well-formed filters', () => {
    expect(
      parseOpenRequest({
        title: 'Open session',
        filters: [{ name: 'Sessions', extensions: ['jsonl', '.pinprobe', '../x', 7] }, { name: 'bad' }],
      }),
    ).toEqual({ title: 'Open session', filters: [{ name: 'Sessions', extensions: ['jsonl', 'pinprobe'] }] });
    expect(parseOpenRequest(undefined)).toEqual({ title: 'Open', filters: [] });
    expect(() => parseOpenRequest('x')).toThrow(TypeError);
  });

  it('reduces a suggested save path to a file name', () => {
    expect(parseSaveRequest({ defaultPath: '/etc/passwd' }).fileName).toBe('passwd');
    expect(parseSaveRequest({ defaultPath: '..\\..\\x.har' }).fileName).toBe('x.har');
    expect(parseSaveRequest({ defaultPath: '.bashrc' }).fileName).toBe('bashrc');
    expect(parseSaveRequest({}).fileName).toBe('pinprobe-export');
  });

  it('accepts only the UI origin as a sender, and only http(s) as external links', () => {
    expect(isUiOrigin('http://127.0.0.1:4000/#token=x', 'http://127.0.0.1:4000')).toBe(true);
    expect(isUiOrigin('http://127.0.0.1:4001/', 'http://127.0.0.1:4000')).toBe(false);
    expect(isUiOrigin('http://localhost:4000/', 'http://127.0.0.1:4000')).toBe(false);
    expect(isUiOrigin('http://127.0.0.1:4000/', null)).toBe(false);
    expect(isExternalWebUrl('https://developer.android.com/')).toBe(true);
    expect(isExternalWebUrl('file:///etc/passwd')).toBe(false);
    expect(isExternalWebUrl('javascript:alert(1)')).toBe(false);
  });
});

describe('native menu', () => {
  const build = (isPackaged: boolean, platform: NodeJS.Platform = 'linux') => {
    const sent: MenuAction[] = [];
    const template = menuTemplate({ isPackaged, platform, send: (a) => sent.push(a), docsUrl: null, openExternal: () => {} });
    return { template, sent };
  };
  type Item = { label?: string; role?: string; submenu?: Item[]; click?: () => void };
  const find = (items: Item[], label: string): Item | undefined => items.find((i) => i.label === label);

  it('has File with sessions, exports and Quit, each sending its action', () => {
    const { template, sent } = build(true);
    const file = find(template as Item[], 'File')?.submenu ?? [];
    expect(file.map((i) => i.label ?? i.role)).toEqual(['New Session', 'Open Session…', 'Save Session As…', 'Export', undefined, 'Quit']);
    const exp = find(file, 'Export')?.submenu ?? [];
    expect(exp.map((i) => i.label)).toEqual(['HAR…', 'HTML Report…', 'JSON Report…', 'JUnit Report…']);
    for (const item of [...file, ...exp]) item.click?.();
    expect(sent).toEqual(['new-session', 'open-session', 'save-session-as', 'export-har', 'export-html', 'export-json', 'export-junit']);
    expect(sent.every((a) => (MENU_ACTIONS as readonly string[]).includes(a))).toBe(true);
  });

  it('offers DevTools only in development', () => {
    const roles = (packaged: boolean) => (find(build(packaged).template as Item[], 'View')?.submenu ?? []).map((i) => i.role);
    expect(roles(false)).toContain('toggleDevTools');
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(true)).toEqual(expect.arrayContaining(['reload', 'zoomIn', 'zoomOut', 'resetZoom']));
  });

  it('has the macOS app menu on macOS only', () => {
    expect((build(true, 'darwin').template as Item[])[0]?.role).toBe('appMenu');
    expect((build(true, 'linux').template as Item[])[0]?.label).toBe('File');
  });
});

describe('preload', () => {
  const source = readFileSync(join(repo, 'app', 'preload.cts'), 'utf8');

  it('exposes exactly the narrow bridge, nothing generic', () => {
    expect(source).toContain("exposeInMainWorld('pinprobe', bridge)");
    expect(source.match(/exposeInMainWorld/g)).toHaveLength(1);
    const bridge = source.slice(source.indexOf('const bridge'), source.indexOf('contextBridge.exposeInMainWorld'));
    const keys = [...bridge.matchAll(/^ {2}(\w+)\s*[:(]/gm)].map((m) => m[1]);
    expect(keys).toEqual(['openFile', 'saveFile', 'onMenu', 'platform']);
    // ipcRenderer itself (or its send/on) is never a value handed to the page
    expect(bridge).not.toMatch(/:\s*ipcRenderer\b/);
    expect(bridge).not.toMatch(/\bipcRenderer\.send\b/);
  });

  it('uses the channel names main handles', () => {
    const ipc = readFileSync(join(repo, 'app', 'ipc.ts'), 'utf8');
    for (const ch of ['pinprobe:open-file', 'pinprobe:save-file', 'pinprobe:menu']) {
      expect(source).toContain(`'${ch}'`);
      expect(ipc).toContain(`'${ch}'`);
    }
  });
});

describe('window settings', () => {
  const window = readFileSync(join(repo, 'app', 'window.ts'), 'utf8');
  const main = readFileSync(join(repo, 'app', 'main.ts'), 'utf8');

  it('isolates and sandboxes the renderer', () => {
    for (const setting of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'webSecurity: true', 'webviewTag: false']) {
      expect(window).toContain(setting);
    }
    expect(window).toContain("action: 'deny'");
    expect(window).toContain('will-navigate');
    expect(window).toContain('setPermissionRequestHandler');
    expect(main).toContain('app.enableSandbox()');
  });

  it('runs the engine in a utility process, not in the main process', () => {
    const engine = readFileSync(join(repo, 'app', 'engine-process.ts'), 'utf8');
    expect(engine).toContain('utilityProcess.fork(');
    expect(main).not.toMatch(/from '\.\.\/proxy\//);
  });
});
