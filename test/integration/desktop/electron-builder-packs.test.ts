// electron-builder.yml, checked as data and by packing `--linux dir` offline with a stub
// Electron distribution (a shell script carrying Electron's fuse sentinel), then reading
// the app.asar it produced. Nothing is downloaded and nothing imports `electron`.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(join(repo, 'package.json'));
const yaml = require('js-yaml') as { load(text: string): unknown };
const asar = require('@electron/asar') as {
  listPackage(archive: string, opts: { isPack: boolean }): string[];
  extractFile(archive: string, filename: string): Buffer;
};

type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const config = yaml.load(readFileSync(join(repo, 'electron-builder.yml'), 'utf8')) as Config;
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('electron-builder.yml', () => {
  it('names the app and pins Electron to the devDependency', () => {
    expect(config.appId).toBe('dev.pinprobe.app');
    expect(config.productName).toBe('Pinprobe');
    expect(config.electronVersion).toBe('45.5.0');
    expect(pkg.devDependencies.electron).toBe(config.electronVersion);
    expect(pkg.dependencies.electron).toBeUndefined();
    expect(config.asar).toBe(true);
    expect(config.directories.output).toBe('release');
    expect(config.extraMetadata.main).toBe('dist/app/main.js');
  });

  it('packs only what runs', () => {
    const files = config.files as string[];
    for (const f of ['package.json', 'bin/**', 'dist/app/**', 'dist/proxy/**', 'dist/cli/**', 'renderer/dist/**']) {
      expect(files).toContain(f);
    }
    expect(files).toContain('!**/*.map');
    // nothing that would pull in sources, tests, docs or benchmarks wholesale
    expect(files.filter((f) => !f.startsWith('!')).some((f) => /^(\*\*|test|docs|bench|proxy\/|app\/|renderer\/src)/.test(f))).toBe(false);
  });

  it('flips the fuses that would let the packaged app run as plain Node', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
    });
  });

  it('targets Linux AppImage + deb, macOS dmg (hardened runtime) and Windows nsis', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.linux.category).toBe('Development');
    expect(config.linux.maintainer).toMatch(/<[^>]+@[^>]+>/);
    expect(config.mac.target).toContain('dmg');
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.gatekeeperAssess).toBe(false);
    expect(config.mac.category).toBe('public.app-category.developer-tools');
    expect(config.mac.entitlements).toBe('build/entitlements.mac.plist');
    expect(config.mac.entitlementsInherit).toBe('build/entitlements.mac.plist');
    expect(config.win.target).toContain('nsis');
  });

  it('has entitlements for V8 and the proxy sockets, and a 512×512 icon', () => {
    const plist = readFileSync(join(repo, config.mac.entitlements as string), 'utf8');
    for (const key of [
      'com.apple.security.cs.allow-jit',
      'com.apple.security.cs.allow-unsigned-executable-memory',
      'com.apple.security.network.client',
      'com.apple.security.network.server',
    ]) {
      expect(plist).toMatch(new RegExp(`<key>${key.replaceAll('.', '\\.')}</key>\\s*<true/>`));
    }
    expect(plist).not.toContain('disable-library-validation');
    const icon = readFileSync(join(repo, 'build', 'icon.png'));
    expect(icon.subarray(1, 4).toString()).toBe('PNG');
    expect(icon.readUInt32BE(16)).toBe(512);
    expect(icon.readUInt32BE(20)).toBe(512);
    expect(icon.length).toBeLessThan(100 * 1024);
  });
});

// Electron's fuse wire: sentinel, version 1, 8 fuses in the state Electron ships them.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const STUB_ELECTRON = `#!/bin/sh\n# ${FUSE_SENTINEL}\x01\x0810110001\necho "stub electron: $*"\n`;

const DEV_ONLY = ['electron', 'electron-builder', 'vitest', 'vite', 'typescript', 'playwright-core', 'tsx', 'react', 'react-dom'];

describe.runIf(process.platform === 'linux')('electron-builder --linux dir (offline, stub Electron)', () => {
  let work: string;
  let entries: string[] = [];
  let packMs = 0;
  let appOut = '';
  let standIns: string[] = [];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'pinprobe-pack-'));
    const stage = join(work, 'app');
    mkdirSync(stage);
    for (const f of ['package.json', 'package-lock.json', 'electron-builder.yml']) cpSync(join(repo, f), join(stage, f));
    cpSync(join(repo, 'bin'), join(stage, 'bin'), { recursive: true });
    cpSync(join(repo, 'build'), join(stage, 'build'), { recursive: true });

    // The current sources, compiled into the copy (never into the real dist/). Other
    // people's files may not type-check yet; tsc still emits, so its exit code is ignored.
    spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repo, 'tsconfig.json'), '--outDir', join(stage, 'dist')], {
      cwd: repo,
      encoding: 'utf8',
    });
    const need = (rel: string, content: string): void => {
      const p = join(stage, rel);
      if (existsSync(p)) return;
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
      standIns.push(rel);
    };
    need('dist/proxy/cli.js', 'export async function main() {}\n');
    // The bundle bin/pinprobe.js prefers, made from the copy's own dist/ as `npm run build:engine` does.
    spawnSync(process.execPath, [join(repo, 'scripts', 'bundle-cli.js'), stage], { cwd: repo, encoding: 'utf8' });
    if (existsSync(join(repo, 'renderer', 'dist', 'index.html'))) {
      cpSync(join(repo, 'renderer', 'dist'), join(stage, 'renderer', 'dist'), { recursive: true });
    } else {
      need('renderer/dist/index.html', '<!doctype html><title>Pinprobe</title>\n');
    }

    // node_modules as real directories (npm's tree walk misreads a symlinked one): hard
    // links when the temp dir shares the file system, a copy otherwise.
    const linked = spawnSync('cp', ['-al', join(repo, 'node_modules'), join(stage, 'node_modules')]);
    if (linked.status !== 0) cpSync(join(repo, 'node_modules'), join(stage, 'node_modules'), { recursive: true, verbatimSymlinks: true });

    const electronDist = join(work, 'electron-dist');
    mkdirSync(electronDist);
    writeFileSync(join(electronDist, 'electron'), STUB_ELECTRON, 'latin1');
    chmodSync(join(electronDist, 'electron'), 0o755);

    const out = join(work, 'out');
    const started = Date.now();
    const r = spawnSync(
      process.execPath,
      [
        join(repo, 'node_modules', 'electron-builder', 'cli.js'),
        '--linux',
        'dir',
        '--projectDir',
        stage,
        '--config',
        join(stage, 'electron-builder.yml'),
        `-c.electronDist=${electronDist}`,
        `-c.directories.output=${out}`,
        '-c.npmRebuild=false',
      ],
      {
        cwd: stage,
        encoding: 'utf8',
        env: {
          ...process.env,
          ELECTRON_BUILDER_CACHE: join(work, 'cache'),
          ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
          CSC_IDENTITY_AUTO_DISCOVERY: 'false',
          npm_config_offline: 'true',
        },
        timeout: 120_000,
      },
    );
    packMs = Date.now() - started;
    if (r.status !== 0) throw new Error(`electron-builder failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    appOut = join(out, 'linux-unpacked');
    entries = asar.listPackage(join(appOut, 'resources', 'app.asar'), { isPack: false }).map((e) => e.replaceAll('\\', '/'));
    console.log(`packed --linux dir in ${packMs} ms${standIns.length ? `; stand-ins: ${standIns.join(', ')}` : ''}`);
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs well under a minute', () => {
    expect(packMs).toBeLessThan(60_000);
  });

  it('renames the Electron binary to the executable name and flips the fuses', () => {
    const exe = join(appOut, 'pinprobe');
    expect(statSync(exe).mode & 0o111).not.toBe(0);
    const bin = readFileSync(exe, 'latin1');
    const at = bin.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
    // runAsNode, cookie encryption, NODE_OPTIONS, --inspect, asar integrity, asar only
    expect(bin.slice(at + 2, at + 8)).toBe('010011');
  });

  it('holds the main process, the preload, the engine and the renderer', () => {
    for (const f of ['/package.json', '/bin/pinprobe.js', '/dist/app/main.js', '/dist/app/preload.cjs', '/dist/proxy/cli.js', '/dist/cli/pinprobe.js', '/renderer/dist/index.html']) {
      expect(entries).toContain(f);
    }
  });

  it('holds the production dependencies, transitive ones included', () => {
    for (const dep of [...Object.keys(pkg.dependencies), 'pngjs', 'dijkstrajs', 'yargs']) {
      expect(entries).toContain(`/node_modules/${dep}/package.json`);
    }
  });

  it('holds no dev-only packages, sources, tests or sourcemaps', () => {
    for (const dep of DEV_ONLY) {
      expect(entries.filter((e) => e === `/node_modules/${dep}` || e.startsWith(`/node_modules/${dep}/`))).toEqual([]);
    }
    expect(entries.filter((e) => /^\/(test|docs|bench|app|proxy|scripts)\//.test(e))).toEqual([]);
    expect(entries.filter((e) => e.endsWith('.map'))).toEqual([]);
    expect(entries.filter((e) => /^\/dist\/.*\.(ts|cts|mts)$/.test(e))).toEqual([]);
  });

  it('has the packaged package.json point at the main process, without devDependencies', () => {
    const packed = JSON.parse(asar.extractFile(join(appOut, 'resources', 'app.asar'), 'package.json').toString()) as Record<string, unknown>;
    expect(packed.main).toBe('dist/app/main.js');
    expect(packed.type).toBe('module');
    expect(packed.devDependencies).toBeUndefined();
  });
});
