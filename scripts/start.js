#!/usr/bin/env node
// `npm start`: runs the desktop app with the Electron binary in node_modules/electron/dist
// when it has been downloaded; otherwise says how to get it (`npx install-electron`) and
// starts `pinprobe ui` instead, whose URL opens the same UI in a browser.
// Arguments after `npm start --` go to the app (e.g. `npm start -- --port 9090`).
// Never `require('electron')` here: since Electron 42 that downloads the binary.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const electronPkgDir = join(root, 'node_modules', 'electron');

/** Where electron's install step puts the executable, per platform. */
function electronExecutable() {
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(electronPkgDir, 'dist');
  let rel;
  try {
    rel = readFileSync(join(electronPkgDir, 'path.txt'), 'utf8').trim(); // written by its installer
  } catch {
    rel = '';
  }
  if (!rel) {
    rel =
      process.platform === 'darwin'
        ? 'Electron.app/Contents/MacOS/Electron'
        : process.platform === 'win32'
          ? 'electron.exe'
          : 'electron';
  }
  return join(distDir, rel);
}

function electronVersion() {
  try {
    return JSON.parse(readFileSync(join(electronPkgDir, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function nodeOlderThan(major, minor) {
  const [ma, mi] = process.versions.node.split('.').map(Number);
  return ma < major || (ma === major && mi < minor);
}

/** Runs a child with our stdio; forwards SIGINT/SIGTERM/SIGHUP; exits like it did. */
function run(command, args, env) {
  const child = spawn(command, args, { stdio: 'inherit', cwd: root, env });
  // Ctrl+C reaches the whole process group (and npm forwards it too), so the same signal
  // often arrives here several times at once: pass each one on once per burst, so the
  // child sees one request to stop and can finish writing its session.
  const lastForwarded = new Map();
  const forward = (signal) => {
    const now = Date.now();
    if (now - (lastForwarded.get(signal) ?? 0) < 500) return;
    lastForwarded.set(signal, now);
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const signals = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  child.on('error', (err) => {
    process.stderr.write(`pinprobe start: could not run ${command}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      // Die of the same signal, so our parent sees what happened to the app.
      for (const s of signals) process.off(s, forward);
      process.kill(process.pid, signal);
      setTimeout(() => process.exit(1), 1000).unref();
      return;
    }
    // The listeners stay until the end: without one, a signal still arriving from the
    // terminal (the group's) would kill us on the way out, and our parent would see that
    // instead of the app's exit code.
    process.exit(code ?? 1);
  });
}

let args = process.argv.slice(2);
if (args[0] === '--') args = args.slice(1);

const exe = electronExecutable();
if (existsSync(exe)) {
  const main = join(root, 'dist', 'app', 'main.js');
  if (!existsSync(main)) {
    process.stderr.write(`pinprobe start: ${relative(root, main)} is missing; run "npm run build" first.\n`);
    process.exit(2);
  }
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would make Electron behave as plain Node
  run(exe, [root, ...args], env);
} else {
  const version = electronVersion();
  process.stderr.write(
    [
      `Pinprobe: the Electron binary${version ? ` for electron@${version}` : ''} is not downloaded yet`,
      `  (looked for ${relative(root, exe) || exe}).`,
      '  Get it once with:   npx install-electron',
      '  then run "npm start" again for the desktop app.',
      ...(nodeOlderThan(22, 12)
        ? [`  (electron@${version ?? '?'}'s installer asks for Node.js >= 22.12; this is ${process.version}.)`]
        : []),
      '',
      'Meanwhile starting the same UI in your browser: pinprobe ui' + (args.length ? ' ' + args.join(' ') : ''),
      '  Open the http://127.0.0.1:… URL printed below (it carries the access token).',
      '',
    ].join('\n'),
  );
  run(process.execPath, [join(root, 'bin', 'pinprobe.js'), 'ui', ...args], process.env);
}
