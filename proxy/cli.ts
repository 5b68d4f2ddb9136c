// The `pinprobe` command (SPEC "Command line"). Bad options and unreadable files are one
// line on stderr and exit 2; everything else a user can hit names what to do.
import { readFileSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { exportCa, CA_FORMATS, type CaFormat } from './ca/export.js';
import { loadOrCreateRootCa } from './ca/root-ca.js';
import { addProxyOptions, engineOptions, parsePort, type ProxyCliOptions } from './cli-options.js';
import { applySavedSettings, type SettingSources } from './api/apply-saved-settings.js';
import { defaultDataDir } from './data-dir.js';
import { Engine, type EngineOptions } from './engine.js';
import { isLoopbackListen, loopbackOnlyAdvice } from './net/lan-addresses.js';
import { hostPort } from './net/authority.js';
import { judge } from './judge/index.js';
import { isReportFormat, renderReport, failOn, isSeverity } from './report/index.js';
import { notASessionMessage } from './session/not-a-session.js';
import type { FileWrites } from './api/file-writes.js';
import { readSession } from './session/reader.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function version(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** An error meant for the user: printed as one line, exit code 2. */
export class UsageError extends Error {}

const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : text + '\n');
const err = (text: string) => process.stderr.write(text.endsWith('\n') ? text : text + '\n');

async function startEngine(o: ProxyCliOptions, saved?: (options: EngineOptions) => void): Promise<Engine> {
  const options = engineOptions(o, version());
  saved?.(options);
  const engine = await Engine.create(options);
  if (o.upstreamInsecure) err('WARNING: --upstream-insecure: backend certificates are NOT verified; anyone on the path to the backend can read this traffic.');
  await engine.start();
  return engine;
}

function banner(engine: Engine): void {
  const s = engine.status();
  out(`Pinprobe ${version()} — proxy listening on ${hostPort(s.listen, s.port)}`);
  if (isLoopbackListen(s.listen)) {
    // Never advertise a LAN address nothing listens on.
    for (const line of loopbackOnlyAdvice(s.listen, s.port)) out(line);
    out(`Setup page on this computer: http://${hostPort(s.listen, s.port)}/  (or http://pinprobe.invalid/ through the proxy)`);
  } else if (s.lanAddresses.length === 0) {
    out(`No LAN address found: connect this computer to the phone's Wi-Fi network (the proxy is on ${hostPort(s.listen, s.port)}).`);
  } else {
    const addrs = s.lanAddresses;
    out(`Set the phone's Wi-Fi proxy to${addrs.length > 1 ? ' one of' : ''}:`);
    for (const a of addrs) out(`  ${hostPort(a, s.port)}`);
    out(`Phone setup page: http://${hostPort(addrs[0]!, s.port)}/  (or http://pinprobe.invalid/ through the proxy)`);
  }
  out(`Root CA: ${s.caCertPath}  (${s.caSubject})`);
  out(engine.records ? `Recording to: ${s.sessionFile}` : 'Recording: off (--no-record): traffic is routed, nothing is written or judged');
  const set = engine.settings();
  out(`Certificates: ${set.scenario ? `scenario ${set.scenario} on every connection` : 'audit rotation (trusted, then each bad scenario once per host)'}`);
}

/**
 * `--out`: a folder (an existing one, or any path ending in "/") receives the file under
 * `fileName`, as `cp` would do; anything else is the file itself.
 */
async function outTarget(outOpt: string, fileName: string): Promise<string> {
  const target = resolve(outOpt);
  const isDir = /[\\/]$/.test(outOpt) || (await stat(target).then((s) => s.isDirectory(), () => false));
  return isDir ? join(target, fileName) : target;
}

/** A session file's name without its .pinprobe.jsonl (a default --out name's stem). */
function sessionStem(file: string): string {
  return basename(file).replace(/(\.pinprobe)?\.jsonl$/i, '') || 'session';
}

/** `diff --out FOLDER/`'s file name: the two stems, told apart by their folders when they are the same name. */
function diffStem(a: string, b: string): string {
  const [sa, sb] = [sessionStem(a), sessionStem(b)];
  if (sa !== sb) return `${sa}-vs-${sb}`;
  const [da, db] = [basename(dirname(resolve(a))), basename(dirname(resolve(b)))];
  return da !== db ? `${da}-${sa}-vs-${db}-${sb}` : `${sa}-vs-${sb}`;
}

const OUT_EXTENSION: Record<string, string> = { text: 'txt', json: 'json', html: 'html', junit: 'xml', har: 'har' };

function writeReason(e: NodeJS.ErrnoException): string {
  if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS') return 'no permission to write there';
  if (e.code === 'ENOTDIR') return 'a part of the path is a file, not a folder';
  if (e.code === 'EISDIR') return 'it is a folder: name a file';
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT') return 'the disk is full';
  return e.code ?? e.message;
}

/**
 * Writes an `--out` file, making its folder first (a CI job's `reports/build-42/` need not
 * exist yet). Fails with one line naming the option and why.
 */
async function writeOut(outOpt: string, file: string, data: string | Buffer): Promise<void> {
  await mkdir(dirname(resolve(file)), { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    // mkdir's EEXIST here means a file stands where the folder would go.
    const why = e.code === 'EEXIST' ? 'a part of the path is a file, not a folder' : writeReason(e);
    throw new UsageError(`--out ${outOpt}: cannot create the folder ${dirname(resolve(file))} (${why})`);
  });
  await writeFile(file, data).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--out ${outOpt}: cannot write ${file} (${writeReason(e)})`);
  });
}

/** How long a stop waits for files the UI is still writing (an export to a slow share). */
const PENDING_WRITES_MS = 60_000;

const filesWord = (n: number): string => (n === 1 ? 'a file' : `${n} files`);

/** A repeat of the same signal this soon is the same Ctrl-C delivered twice, not a new one. */
const DUPLICATE_SIGNAL_MS = 500;

/**
 * Resolves when SIGINT/SIGTERM/SIGHUP arrives; then closes the engine and prints the summary.
 * The handlers stay installed for the whole stop: under `npm start` the terminal's Ctrl-C
 * reaches us and scripts/start.js forwards it again, and a second signal meeting Node's
 * default handler would kill us before the session-end line. A repeat within
 * DUPLICATE_SIGNAL_MS is ignored; a later one (the user pressing Ctrl-C again) hurries the
 * stop — open connections are cut without waiting for their close lines — but the
 * session still ends with its session-end line and the summary is still printed. Then the
 * process exits (0) itself, so no signal can meet Node's default handler while it exits.
 */
function untilSignal(engine: Engine, extra: () => Promise<void> = async () => {}, writes?: FileWrites): Promise<void> {
  return new Promise((done) => {
    let stoppingSince = 0;
    let hurried = false;
    let hurryNow = (): void => {};
    const hurriedPromise = new Promise<void>((ok) => (hurryNow = ok));
    const stop = (signal: string) => {
      if (stoppingSince) {
        if (hurried || Date.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
        hurried = true;
        err(`${signal} again: hurrying — cutting open connections; the session file is still finished.`);
        engine.hurry();
        hurryNow();
        return;
      }
      stoppingSince = Date.now();
      err(`\n${signal}: stopping… (finishing the session file)`);
      void (async () => {
        await Promise.race([extra(), new Promise((ok) => setTimeout(ok, 3000).unref())]);
        await engine.close();
        if (engine.records) {
          // The text summary needs no lines (only HTML does): the live verdicts are the file's.
          out(renderReport('text', engine.report(), [], { color: Boolean(process.stdout.isTTY) }));
          out(`Session saved: ${engine.sessionFile}`);
        }
        const lost = engine.unwritten;
        if (lost) {
          // The summary above came from memory; the file lacks these lines. The exit code
          // stays 0, as SPEC says for every stop; this line is what tells (docs/formats.md).
          err(`recording: ${lost.lines} line${lost.lines === 1 ? '' : 's'} (including session-end) not written to ${lost.file}: ${lost.cause}`);
        }
        if (writes && writes.count > 0 && !hurried) {
          err(`waiting for ${filesWord(writes.count)} the UI is writing (an export or Save as) to finish… (Ctrl-C again to stop without it)`);
          await Promise.race([writes.settled(), hurriedPromise, new Promise((ok) => setTimeout(ok, PENDING_WRITES_MS))]);
        }
        if (writes && writes.count > 0) err(`stopped with ${filesWord(writes.count)} the UI was writing left unfinished`);
        done();
        // Exit now, not when the event loop empties: Node tears itself down after that with
        // the default signal actions back, and a repeat of the signal then (start.js
        // forwarding the terminal's, a supervisor's second SIGTERM) would kill the finished
        // process — "killed by SIGHUP" instead of exit 0. Nor may anything cut short by a
        // hurried stop (a probe waiting for its timeout) keep it alive. Exit code 0, as for any clean stop.
        exitOnceWritten(process.exitCode ?? 0);
      })();
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
    // Under npx/npm the proxy runs behind `sh -c`, which dies on SIGTERM without passing it
    // on; the orphaned proxy would keep running unseen. Being reparented means "stop".
    if (process.env.npm_command || process.env.npm_lifecycle_event) {
      const parent = process.ppid;
      // Once: a repeat would count as a second Ctrl-C and hurry the stop.
      const watch = setInterval(() => {
        if (process.ppid === parent) return;
        clearInterval(watch);
        stop('parent npm process exited');
      }, 250);
      watch.unref();
    }
  });
}

/** process.exit once what was written to stdout and stderr has gone out (a pipe need not be synchronous). */
function exitOnceWritten(code: number | string): void {
  let waiting = 2;
  const next = (): void => {
    if (--waiting === 0) process.exit(code);
  };
  // A reader that went away never calls back: the process must end all the same.
  setTimeout(() => process.exit(code), 2000);
  for (const stream of [process.stdout, process.stderr]) stream.write('', next);
}

function buildProgram(): Command {
  const program = new Command('pinprobe')
    .description('Intercepting proxy that tells whether mobile apps pin certificates and whether backends enforce mTLS')
    .version(version())
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(s.replace(/^error: /, 'pinprobe: ')) });

  addProxyOptions(program.command('proxy').description('run the proxy headless until SIGINT/SIGTERM'))
    .option('--no-record', 'only route traffic: no session file, no verdicts (e.g. to measure what recording costs)')
    .action(async (o: ProxyCliOptions) => {
      const engine = await startEngine(o);
      // Handlers before the banner: a script may signal as soon as it sees the output.
      const stopped = untilSignal(engine);
      banner(engine);
      await stopped;
    });

  addProxyOptions(program.command('ui').description("run the proxy and serve the app's UI to a browser on loopback"))
    .option('--ui-port <n>', 'control API / UI port (0 = any free port)', (v) => parsePort(v, '--ui-port'), 0)
    .action(async (o: ProxyCliOptions & { uiPort: number }, cmd: Command) => {
      const { startControlApi } = await import('./api/index.js');
      let settingSources: SettingSources | undefined;
      const engine = await startEngine(o, (options) => {
        options.dataDir = resolve(o.dataDir ?? defaultDataDir());
        settingSources = applySavedSettings(options, (flag) => cmd.getOptionValueSource(flag) === 'cli');
        if (settingSources.warning) err(`warning: ${settingSources.warning}`);
        const used = Object.entries(settingSources.sources).filter(([, v]) => v === 'saved').map(([k]) => k);
        if (used.length) err(`Settings saved in the UI (${settingSources.file}): ${used.join(', ')}`);
      });
      const api = await startControlApi({ engine, port: o.uiPort, uiDir: join(ROOT, 'renderer', 'dist'), version: version(), settingSources });
      engine.ownPorts.add(api.port);
      const stopped = untilSignal(engine, () => api.close(), api.fileWrites);
      banner(engine);
      out('Open the Pinprobe UI at:');
      out(api.url);
      await stopped;
    });

  program
    .command('ca')
    .description('create the root CA if missing, export its certificate, print the written path')
    .option('--data-dir <dir>', 'holds ca/ (root CA) and sessions/')
    .addOption(new Option('--format <fmt>', 'pem, der, android (<hash>.0) or ios (.mobileconfig)').choices(CA_FORMATS as string[]).default('pem'))
    .option('--out <file>', 'where to write it (default: the data dir\'s ca/ folder)')
    .action(async (o: { dataDir?: string; format: CaFormat; out?: string }) => {
      const dataDir = resolve(o.dataDir ?? defaultDataDir());
      const root = await loadOrCreateRootCa(dataDir);
      const exp = exportCa(root, o.format);
      const file = o.out === undefined ? join(dataDir, 'ca', exp.fileName) : await outTarget(o.out, exp.fileName);
      if (file !== root.certPath) await writeOut(o.out!, file, exp.data);
      out(file);
    });

  program
    .command('report')
    .description('verdicts of a recorded session')
    .argument('<file>', 'session file (.pinprobe.jsonl)')
    .option('--format <fmt>', 'text, json, html, junit or har', 'text')
    .option('--out <path>', 'write to this file instead of stdout')
    .option('--fail-on <severity>', 'exit 1 when any finding is at least this severe (critical, high, medium, low, info)')
    .action(async (file: string, o: { format: string; out?: string; failOn?: string }) => {
      if (o.format !== 'har' && !isReportFormat(o.format)) throw new UsageError(`--format must be text, json, html, junit or har (got "${o.format}")`);
      if (o.failOn !== undefined && !isSeverity(o.failOn)) throw new UsageError(`--fail-on must be critical, high, medium, low or info (got "${o.failOn}")`);
      const session = await readSession(file).catch((e: Error) => {
        throw new UsageError(e.message);
      });
      // Before --fail-on: a gate given the wrong file must fail, never pass on "0 hosts".
      const wrongFile = await notASessionMessage(file, session);
      if (wrongFile) throw new UsageError(wrongFile);
      for (const w of session.warnings) err(`warning: ${w}`);
      const lines = session.header ? [session.header, ...session.events] : session.events;
      const report = judge(lines, { file });
      const text = o.format === 'har'
        ? JSON.stringify((await import('./session/har.js')).toHar(session.events, { creatorVersion: version() }), null, 2)
        : renderReport(o.format as 'text', report, lines, { color: !o.out && Boolean(process.stdout.isTTY) });
      if (o.out) {
        const target = await outTarget(o.out, `${sessionStem(file)}.${OUT_EXTENSION[o.format]}`);
        await writeOut(o.out, target, text.endsWith('\n') ? text : text + '\n');
        out(target);
      } else out(text);
      if (o.failOn && failOn(report, o.failOn)) process.exitCode = 1;
    });

  program
    .command('diff')
    .description("compare two recorded sessions (an app's old and new build): per host, what changed")
    .argument('<a>', 'the old session (.pinprobe.jsonl)')
    .argument('<b>', 'the new session (.pinprobe.jsonl)')
    .option('--format <fmt>', 'text, json or junit', 'text')
    .option('--out <path>', 'write to this file instead of stdout')
    .option('--fail-on <severity>', 'exit 1 when B regressed at least this badly (critical, high, medium, low, info)')
    .action(async (a: string, b: string, o: { format: string; out?: string; failOn?: string }) => {
      const { isDiffFormat, renderDiff } = await import('./report/diff-render.js');
      if (!isDiffFormat(o.format)) throw new UsageError(`--format must be text, json or junit (got "${o.format}")`);
      if (o.failOn !== undefined && !isSeverity(o.failOn)) throw new UsageError(`--fail-on must be critical, high, medium, low or info (got "${o.failOn}")`);
      const { judgeSessionFile, DiffInputError } = await import('./report/diff-load.js');
      const { diffReports, diffFailsOn } = await import('./report/diff.js');
      const sides = await Promise.all([a, b].map((f) => judgeSessionFile(f))).catch((e: Error) => {
        throw e instanceof DiffInputError ? new UsageError(e.message) : e;
      });
      for (const w of sides.flatMap((s) => s.warnings)) err(`warning: ${w}`);
      const diff = diffReports(sides[0]!.report, sides[1]!.report);
      const text = renderDiff(o.format, diff, { color: !o.out && Boolean(process.stdout.isTTY), failOn: o.failOn });
      if (o.out) {
        const target = await outTarget(o.out, `${diffStem(a, b)}.${OUT_EXTENSION[o.format]}`);
        await writeOut(o.out, target, text.endsWith('\n') ? text : text + '\n');
        out(target);
      } else out(text);
      if (o.failOn && diffFailsOn(diff, o.failOn)) process.exitCode = 1;
    });

  program
    .command('probe-mtls')
    .description('actively test whether a backend enforces mTLS (no phone needed)')
    .argument('<url>', 'https URL of the backend')
    .option('--client-cert <spec>', 'HOST=CERT.pem,KEY.pem or HOST=FILE.p12[:PASS] (HOST may be *)')
    .option('--upstream-ca <file>', 'trust this extra CA (repeatable)', (v: string, p: string[] = []) => [...p, v], [])
    .option('--format <fmt>', 'text or json', 'text')
    .action(async (url: string, o: { clientCert?: string; upstreamCa: string[]; format: string }) => {
      if (o.format !== 'text' && o.format !== 'json') throw new UsageError(`--format must be text or json (got "${o.format}")`);
      const { runProbeMtlsCommand } = await import('./probe-mtls/probe.js');
      process.exitCode = await runProbeMtlsCommand({ url, clientCert: o.clientCert, upstreamCa: o.upstreamCa, format: o.format }, process.stdout);
    });

  program
    .command('check-auth')
    .description('opt-in backend checks on a recorded session: replay requests without their credentials (and --burst), appended to FILE')
    .argument('<file>', 'session file (.pinprobe.jsonl); what is sent and answered is appended to it')
    .option('--host <glob>', 'check only these hosts (repeatable; required: nothing is sent without it)', (v: string, p: string[] = []) => [...p, v], [])
    .option('--max <n>', 'at most this many replays (default 50)')
    .option('--burst <n>', 'also send N ≤ 100 copies of one idempotent request per host, within 10 s, to see whether it is throttled')
    .option('--methods <list>', 'methods that may be replayed (default GET,HEAD)')
    .option('--upstream-ca <file>', 'trust this extra CA for the backend (repeatable)', (v: string, p: string[] = []) => [...p, v], [])
    .option('--client-cert <spec>', 'HOST=CERT.pem,KEY.pem or HOST=FILE.p12[:PASS] (repeatable)', (v: string, p: string[] = []) => [...p, v], [])
    .option('--map-remote <spec>', 'HOST[:PORT]=ADDR:PORT: send replays for HOST there (repeatable; default: the rules the session recorded)', (v: string, p: string[] | boolean | undefined) => [...(Array.isArray(p) ? p : []), v])
    .option('--no-map-remote', 'connect to the recorded hosts directly, ignoring the rules the session recorded')
    .action(async (file: string, o: { host: string[]; max?: string; burst?: string; methods?: string; upstreamCa: string[]; clientCert: string[]; mapRemote?: string[] | boolean }) => {
      const { runCheckAuthCommand, CheckAuthUsage } = await import('./check-auth/command.js');
      // Commander: no flag leaves it undefined (the session's rules), --no-map-remote sets false.
      const mapRemote = o.mapRemote === false ? false : Array.isArray(o.mapRemote) ? o.mapRemote : undefined;
      try {
        process.exitCode = await runCheckAuthCommand({ file, hosts: o.host, max: o.max, burst: o.burst, methods: o.methods, upstreamCa: o.upstreamCa, clientCert: o.clientCert, mapRemote }, out);
      } catch (e) {
        if (e instanceof CheckAuthUsage) throw new UsageError(e.message);
        throw e;
      }
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  // A reader that went away (`| head`, a parent that exited) must not crash a running proxy.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exit(e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? 0 : 2);
    }
    err(`pinprobe: ${(e as Error).message}`);
    process.exit(2);
  }
}
