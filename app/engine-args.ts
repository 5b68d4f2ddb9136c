// Which command-line arguments of the desktop app are handed to the engine (`pinprobe ui`).
// Pure (no Electron import), so it is unit-tested without an Electron binary.
import { proxyOptionFlags } from '../proxy/settings.js';

// Derived from the settings table, so an option added there is forwarded without a change here.
const PROXY_OPTIONS = proxyOptionFlags();
/** `proxy` options that take a value. */
const VALUE_OPTIONS = new Set(PROXY_OPTIONS.filter((o) => o.takesValue).map((o) => o.flag));
/** `proxy` options that are flags. */
const FLAG_OPTIONS = new Set(PROXY_OPTIONS.filter((o) => !o.takesValue).map((o) => o.flag));

export const DEFAULT_PROXY_PORT = 8080;

/**
 * The user's arguments: what follows the app path. `electron . --port 9090` gives
 * [electron, '.', '--port', '9090']; a packaged `Pinprobe --port 9090` gives
 * [Pinprobe, '--port', '9090']. A leading `--` (from `npm start -- …`) is dropped.
 */
export function userArgs(argv: readonly string[], isPackaged: boolean): string[] {
  const rest = argv.slice(isPackaged ? 1 : 2);
  return rest[0] === '--' ? rest.slice(1) : rest;
}

/**
 * Keeps only the engine's proxy options (`--port 9090` or `--port=9090`); Chromium and
 * Electron switches (`--no-sandbox`, `--inspect`, `--ozone-platform=…`) are not the
 * engine's business. `--ui-port` is ours: the UI always gets a free port.
 */
export function forwardedProxyArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (FLAG_OPTIONS.has(name)) {
      out.push(arg);
    } else if (VALUE_OPTIONS.has(name)) {
      if (eq > 0) {
        out.push(arg);
      } else if (i + 1 < args.length) {
        out.push(arg, args[i + 1] ?? '');
        i++;
      } else {
        out.push(arg); // let the engine report the missing value
      }
    }
  }
  return out;
}

/** Arguments for the engine process: `ui --ui-port 0 <proxy options>`. */
export function engineArgs(proxyArgs: readonly string[]): string[] {
  return ['ui', '--ui-port', '0', ...proxyArgs];
}

/** The proxy port those options select (for error messages). */
export function proxyPortOf(proxyArgs: readonly string[]): number {
  let port = DEFAULT_PROXY_PORT;
  for (let i = 0; i < proxyArgs.length; i++) {
    const arg = proxyArgs[i] ?? '';
    const value = arg === '--port' ? proxyArgs[i + 1] : arg.startsWith('--port=') ? arg.slice(7) : undefined;
    if (value !== undefined && /^\d{1,5}$/.test(value)) port = Number(value);
  }
  return port;
}

/** Replaces (or adds) `--port N`. */
export function withProxyPort(proxyArgs: readonly string[], port: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < proxyArgs.length; i++) {
    const arg = proxyArgs[i] ?? '';
    if (arg === '--port') {
      i++;
      continue;
    }
    if (arg.startsWith('--port=')) continue;
    out.push(arg);
  }
  return [...out, '--port', String(port)];
}
