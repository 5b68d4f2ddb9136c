// The benchmark's npm peers (mockttp) live in bench/peers/, outside the project's lock file, and
// are installed on first use: they are only for `npm run bench`, run by hand.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const PEERS = join(import.meta.dirname, 'peers');
const requireFromPeers = createRequire(join(PEERS, 'package.json'));

/** Where `name` resolves from bench/peers/, or null when it is not installed. */
export function peerPath(name) {
  try {
    return requireFromPeers.resolve(name);
  } catch {
    return null;
  }
}

/** Installs bench/peers/ once (npm, from the configured registry); false when that fails. */
export function ensurePeers(log) {
  if (peerPath('mockttp')) return true;
  log('installing the benchmark peers (mockttp) into bench/peers/ …');
  try {
    execFileSync('npm', ['install', '--prefix', PEERS, '--omit=optional', '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    return false;
  }
  return peerPath('mockttp') !== null;
}

/** Imports an installed peer as an ES module. */
export async function importPeer(name) {
  const path = peerPath(name);
  if (!path) throw new Error(`${name} is not installed in bench/peers/ (npm install --prefix bench/peers)`);
  return import(pathToFileURL(path).href);
}

/** The installed version of a peer. */
export function peerVersion(name) {
  // Packages with an "exports" map hide package.json; read it beside the resolved entry instead.
  let dir = dirname(peerPath(name) ?? '');
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    if (dir === dirname(dir)) return null;
    dir = dirname(dir);
  }
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}
