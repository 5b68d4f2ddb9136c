#!/usr/bin/env node
// `npm run bench`: one run, one machine, every proxy side by side against one loopback HTTPS
// origin — no proxy, Pinprobe (recording on; recording off; UI connected), mitmdump and
// mockttp. Prints a table with ratios and the issue-10 targets, writes JSON.
//   node bench/run.js [--quick] [--out FILE] [--only pinprobe,mockttp,h2,paired,...] [--cpu-prof DIR] [--paired-rounds N]
// --only paired: just the paired windows (recording on / off / UI connected); with
// --paired-rounds 12 (default 4) for a recording cost narrower than one run's.
// --only h2: just the HTTP/2 phase (no proxy, Pinprobe, mitmdump).
// --quick: short phases and a short long-session (< 1 minute; for CI). Loopback only.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { KINDS, PROXY_CORE, pinSelf, startOrigin, startProxy, treeCpuUs, treeRssMiB, workDir } from './lib.mjs';
import { connect } from './client.mjs';
import { burst, downloads, keepAlive, latency, newConnections, target } from './phases.mjs';
import { issuerBurst } from './issuer-burst.mjs';
import { h2KeepAlive, startH2Origin } from './h2.mjs';
import { ensurePeers, peerVersion } from './peers.mjs';
import { printTable, targets } from './table.mjs';

const ROOT = join(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const quick = flag('--quick');
const out = value('--out') ?? join(ROOT, 'bench', quick ? 'last-run-quick.json' : 'last-run.json');
const only = value('--only')?.split(',');
const cpuProf = value('--cpu-prof');
// More paired rounds narrow recording's cost on a noisy machine (each round is ~3 s).
const pairedRounds = value('--paired-rounds');
if (pairedRounds !== undefined && !(/^\d+$/.test(pairedRounds) && +pairedRounds >= 1 && +pairedRounds <= 60)) {
  process.stderr.write(`bench/run.js: --paired-rounds must be a whole number from 1 to 60, not ${pairedRounds ?? '(nothing)'}\n`);
  process.exit(2);
}
const P = quick
  ? { seconds: 1, latencySeconds: 1, newSeconds: 1, downloads: 1, warmDownloads: 1, longTotal: 3000, longCheck: 1000, starts: 1, pairedRounds: 1, pairedWarmSeconds: 0.5 }
  : { seconds: 5, latencySeconds: 3, newSeconds: 3, downloads: 3, warmDownloads: 5, longTotal: 60_000, longCheck: 10_000, starts: 3, pairedRounds: 4, pairedWarmSeconds: 2 };
if (pairedRounds !== undefined) P.pairedRounds = +pairedRounds;
const wanted = (k) => !only || only.includes(k);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stderr.write(s + '\n');

if (!existsSync(join(ROOT, 'dist', 'proxy', 'cli.js'))) {
  log('building the engine (npm run build:engine)…');
  execFileSync('npm', ['run', 'build:engine'], { cwd: ROOT, stdio: 'inherit' });
}
const hasMitm = spawnSync('mitmdump', ['--version'], { stdio: 'pipe' }).status === 0;
const hasMockttp = wanted('mockttp') && ensurePeers(log);

pinSelf();
const started = Date.now();
const w = workDir();
const origin = await startOrigin(w);
const results = {};
const machine = {
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  memGiB: +(totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
  openssl: process.versions.openssl,
  mitmdump: hasMitm ? spawnSync('mitmdump', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] : null,
  mockttp: hasMockttp ? peerVersion('mockttp') : null,
  proxyCore: PROXY_CORE,
  loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
};

/** The standard phases for one proxy (or none). */
async function measure(kind, proxy) {
  const t = target(origin.port, proxy);
  const r = {};
  log(`${KINDS[kind]}: keep-alive…`);
  r.keepAlive = await keepAlive(t, proxy, { seconds: P.seconds });
  if (kind === 'pinprobe-norec' || kind === 'pinprobe-ui') return r;
  log(`${KINDS[kind]}: latency, new connections, downloads, 50 new hosts…`);
  r.latency = await latency(t, { seconds: P.latencySeconds });
  r.newConnections = await newConnections(t, proxy, { seconds: P.newSeconds });
  r.burst = await burst(t, proxy);
  if (proxy) r.idleRssMiB = +treeRssMiB(proxy.pid).toFixed(1);
  return r;
}

async function withProxy(kind, fn, opts) {
  const proxy = await startProxy(kind, w, opts);
  try {
    return await fn(proxy);
  } finally {
    await proxy.stop();
  }
}

// A first Pinprobe start makes the root CA; every later start finds it (the case measured).
await withProxy('pinprobe', async () => undefined);

if (wanted('none')) results.none = await measure('none', null);

// The origin's and the client's download path warmed before any proxy's downloads: the
// first proxy measured must not pay for their JIT warm-up while no proxy (measured last)
// does not.
if (['none', 'pinprobe', 'mockttp', 'mitmdump'].some(wanted)) await downloads(target(origin.port, null), null, { repeat: P.downloads, parallel: 2, warmRepeat: P.warmDownloads });

for (const kind of ['pinprobe', 'pinprobe-norec', 'mockttp', 'mitmdump']) {
  if (!wanted(kind)) continue;
  if (kind === 'mitmdump' && !hasMitm) {
    log('mitmdump not installed: skipped');
    continue;
  }
  if (kind === 'mockttp' && !hasMockttp) {
    log('mockttp could not be installed into bench/peers/ (npm install --prefix bench/peers): skipped');
    continue;
  }
  results[kind] = await withProxy(kind, async (proxy) => ({ startMs: +proxy.startMs.toFixed(0), ...(await measure(kind, proxy)) }), { cpuProf });
  // Downloads on a fresh process: its peak RSS is the downloads', not the earlier phases' session.
  if (kind === 'pinprobe-norec') continue;
  log(`${KINDS[kind]}: 10 MiB downloads (fresh process)…`);
  results[kind].download = await withProxy(kind, (proxy) => downloads(target(origin.port, proxy), proxy, { repeat: P.downloads, warmRepeat: P.warmDownloads }));
}
if (results.none) results.none.download = await downloads(target(origin.port, null), null, { repeat: P.downloads, warmRepeat: P.warmDownloads });

// The UI connected: a live WebSocket client receiving every line and the verdicts.
if (wanted('pinprobe-ui')) {
  results['pinprobe-ui'] = await withProxy('pinprobe-ui', async (proxy) => {
    const wsUrl = proxy.uiUrl.replace(/^http/, 'ws').replace(/\/#token=(.*)$/, '/api/live?token=$1');
    const ws = new WebSocket(wsUrl);
    let messages = 0;
    let bytes = 0;
    ws.on('message', (d) => (messages++, (bytes += d.length)));
    await new Promise((ok, fail) => ws.once('open', ok).once('error', fail));
    const r = { startMs: +proxy.startMs.toFixed(0), ...(await measure('pinprobe-ui', proxy)) };
    await sleep(500);
    ws.close();
    return { ...r, liveMessages: messages, liveMiB: +(bytes / 2 ** 20).toFixed(1) };
  }, { cpuProf });
}

// Recording off and the UI connected, against Pinprobe headless with recording on, in
// alternating 1 s windows on three processes side by side: the machine's load changes
// over a run, and these ratios must not measure that.
if (wanted('paired') || (wanted('pinprobe') && wanted('pinprobe-norec') && wanted('pinprobe-ui'))) {
  log('Pinprobe: paired windows (recording on / off / UI connected)…');
  const kinds = ['pinprobe', 'pinprobe-norec', 'pinprobe-ui'];
  const procs = [];
  for (const k of kinds) procs.push(await startProxy(k, w, {}));
  const ui = procs[2];
  const ws = new WebSocket(ui.uiUrl.replace(/^http/, 'ws').replace(/\/#token=(.*)$/, '/api/live?token=$1'));
  let liveMessages = 0;
  ws.on('message', () => liveMessages++);
  await new Promise((ok, fail) => ws.once('open', ok).once('error', fail));
  // Untimed load first: a fresh process's first second is JIT warm-up, which recording's
  // longer code path feels more (its req/s per process is kept as paired.warmWindowRps).
  const firstWindow = [];
  for (let i = 0; i < kinds.length; i++) {
    firstWindow.push((await keepAlive(target(origin.port, procs[i]), procs[i], { seconds: P.pairedWarmSeconds, warmupMs: 0 })).rps);
  }
  const sum = kinds.map(() => ({ requests: 0, cpuUs: 0, secs: 0 }));
  // Each round's own recording cost too: the spread says how far one run's ratio can be trusted.
  const roundCosts = [];
  for (let round = 0; round < P.pairedRounds; round++) {
    const rps = [];
    for (let i = 0; i < kinds.length; i++) {
      const r = await keepAlive(target(origin.port, procs[i]), procs[i], { seconds: 1, warmupMs: 100 });
      sum[i].requests += r.requests;
      sum[i].cpuUs += r.cpuUsPerReq * r.requests;
      sum[i].secs += r.requests / r.rps;
      rps.push(r.rps);
    }
    roundCosts.push(+(1 - rps[0] / rps[1]).toFixed(3));
  }
  ws.close();
  for (const p of procs) await p.stop();
  const per = sum.map((x) => ({ rps: Math.round(x.requests / x.secs), cpuUsPerReq: Math.round(x.cpuUs / x.requests), requests: x.requests }));
  results.paired = { rounds: P.pairedRounds, recordingOn: per[0], recordingOff: per[1], uiConnected: { ...per[2], liveMessages }, recordingCostPerRound: roundCosts, warmWindowRps: Object.fromEntries(kinds.map((k, i) => [k, firstWindow[i]])) };
}

// HTTP/2 keep-alive (issue 11): h2 clients to an h2-only origin, no proxy / Pinprobe / mitmdump.
if (wanted('h2') || !only) {
  const h2origin = await startH2Origin(w);
  try {
    for (const kind of ['none', 'pinprobe', 'mitmdump']) {
      if (kind === 'mitmdump' && !hasMitm) continue;
      if (only && !only.includes(kind) && !only.includes('h2')) continue;
      log(`${KINDS[kind]}: HTTP/2 keep-alive…`);
      const h2 = kind === 'none'
        ? await h2KeepAlive(h2origin.port, null, { seconds: P.seconds })
        : await withProxy(kind, (proxy) => h2KeepAlive(h2origin.port, proxy, { seconds: P.seconds }), { cpuProf });
      results[kind] = { ...(results[kind] ?? {}), h2 };
    }
  } finally {
    h2origin.stop();
  }
}

// The leaf cost itself: 50 new hosts asking the issuer at once, in this process (idle proxy core not involved).
if (wanted('pinprobe')) results.pinprobe.issuerBurst = await issuerBurst(ROOT);

// Start to listening with an existing CA (median of a few starts).
if (wanted('pinprobe')) {
  const starts = [];
  for (let i = 0; i < P.starts; i++) starts.push(await withProxy('pinprobe', async (p) => p.startMs));
  starts.sort((a, b) => a - b);
  results.pinprobe.startMs = +starts[Math.floor(starts.length / 2)].toFixed(0);
  results.pinprobe.startSamplesMs = starts.map((x) => +x.toFixed(0));
}

// The long session: recording on, RSS after every `longCheck` requests, then `pinprobe report`.
if (wanted('pinprobe')) {
  const record = join(w.dir, 'long-session.jsonl');
  results.pinprobe.longSession = await withProxy('pinprobe', async (proxy) => {
    log(`Pinprobe: long session, ${P.longTotal} requests…`);
    const t = target(origin.port, proxy);
    const rss = {};
    const conns = await Promise.all(Array.from({ length: 20 }, () => connect(t)));
    let done = 0;
    const cpu0 = treeCpuUs(proxy.pid);
    for (let next = P.longCheck; next <= P.longTotal; next += P.longCheck) {
      await Promise.all(conns.map(async (c) => {
        while (done < next) {
          done++;
          await c.get('/small');
        }
      }));
      // A breath so the proxy finishes its work for these requests, then its memory.
      await sleep(300);
      rss[next] = +treeRssMiB(proxy.pid).toFixed(1);
    }
    for (const c of conns) c.close();
    const cpuUsPerReq = Math.round((treeCpuUs(proxy.pid) - cpu0) / done);
    await sleep(500);
    const endRss = +treeRssMiB(proxy.pid).toFixed(1);
    const lines = readFileSync(record, 'utf8').split('\n').length - 1;
    return { requests: done, lines, rssMiB: rss, endRssMiB: endRss, cpuUsPerReq };
  }, { record });
  const s = performance.now();
  // bash's `times` gives the report's CPU time too: on a shared machine wall time waits for a core.
  const rep = spawnSync('bash', ['-c', '"$@" > /dev/null; code=$?; times; exit $code', '_', process.execPath, join(ROOT, 'bin', 'pinprobe.js'), 'report', record, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  results.pinprobe.longSession.reportSeconds = +((performance.now() - s) / 1000).toFixed(2);
  results.pinprobe.longSession.reportExit = rep.status;
  const child = /\n?(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(rep.stdout.trim());
  if (child) results.pinprobe.longSession.reportCpuSeconds = +(Number(child[1]) * 60 + Number(child[2]) + Number(child[3]) * 60 + Number(child[4])).toFixed(2);
  results.pinprobe.longSession.sessionFileMiB = +(statSync(record).size / 2 ** 20).toFixed(1);
}

origin.stop();
rmSync(w.dir, { recursive: true, force: true });
const report = { date: new Date().toISOString(), quick, seconds: Math.round((Date.now() - started) / 1000), params: P, machine, loadavgAfter: readFileSync('/proc/loadavg', 'utf8').trim(), results, targets: targets(results) };
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
printTable(report);
console.log(`\nJSON: ${out}`);
process.exit(0);
