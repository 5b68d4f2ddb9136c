// Shared pieces of the benchmarks: the origin's certificate, the origin process, starting
// each proxy under test as a child process pinned to its own core, and reading its CPU time
// and resident memory (with all its descendants) from /proc. Loopback only.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(import.meta.dirname, '..');
export const EXTRA_HOSTS = 50;

/** A scratch folder with an origin certificate for localhost and 127.0.0.1–127.0.0.51. */
export function workDir() {
  const dir = mkdtempSync(join(tmpdir(), 'pinprobe-bench-'));
  const ips = Array.from({ length: EXTRA_HOSTS + 1 }, (_, i) => `IP:127.0.0.${i + 1}`).join(',');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', `subjectAltName=DNS:localhost,${ips}`], { cwd: dir, stdio: 'pipe' });
  return { dir, cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')), certPath: join(dir, 'c.pem'), keyPath: join(dir, 'k.pem') };
}

/** With two or more cores: the proxy gets the last core, everything else the others. */
const CORES = cpus().length;
const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'pipe' });
    return CORES >= 2;
  } catch {
    return false;
  }
})();
export const PROXY_CORE = hasTaskset ? CORES - 1 : null;
export function pinSelf() {
  if (!hasTaskset) return;
  execFileSync('taskset', ['-a', '-pc', `0-${CORES - 2}`, String(process.pid)], { stdio: 'pipe' });
}
function pinned(cmd, args) {
  return hasTaskset ? ['taskset', ['-c', String(PROXY_CORE), cmd, ...args]] : [cmd, args];
}

function children(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
function tree(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...children(out[i]));
  return out;
}

/** Resident memory of a process and all its descendants, in MiB. */
export function treeRssMiB(pid) {
  let kib = 0;
  for (const p of tree(pid)) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // the process ended between listing and reading
    }
  }
  return kib / 1024;
}

const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);
/** User+system CPU time of a process tree (live descendants), in µs. */
export function treeCpuUs(pid) {
  let ticks = 0;
  for (const p of tree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // ended meanwhile
    }
  }
  return ticks * TICK_US;
}

/** Samples the tree's RSS every 20 ms; the returned function stops and gives the peak (MiB). */
export function sampleRss(pid) {
  let peak = treeRssMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, treeRssMiB(pid))), 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, treeRssMiB(pid));
  };
}

async function canConnect(port) {
  return new Promise((r) => {
    const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
    s.on('error', () => r(false));
  });
}

/** Resolves once port accepts connections; polls every 2 ms. */
export async function waitForPort(port, ms, child) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child && child.exitCode !== null) throw new Error(`proxy exited with ${child.exitCode} before listening`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`port ${port} did not open within ${ms} ms`);
}

export async function startOrigin(w) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'origin.mjs'), w.certPath, w.keyPath, String(EXTRA_HOSTS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (c) => fail(new Error(`origin exited ${c}`)));
  });
  return { child, port: JSON.parse(line).port, stop: () => child.kill('SIGTERM') };
}

export const KINDS = {
  none: 'no proxy',
  pinprobe: 'Pinprobe',
  'pinprobe-norec': 'Pinprobe, recording off',
  'pinprobe-ui': 'Pinprobe, UI connected',
  mitmdump: 'mitmproxy (mitmdump)',
  mockttp: 'mockttp',
};

const freePort = () => new Promise((ok) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => ok(port));
  });
});

/**
 * Starts the proxy under test; returns { child, pid, port, caPath, startMs, uiUrl, stop() }.
 * `startMs`: spawn to the port accepting connections.
 */
export async function startProxy(kind, w, opts = {}) {
  const port = await freePort();
  const dataDir = opts.dataDir ?? join(w.dir, 'pp');
  const env = { ...process.env, BENCH_STALL_FILE: join(w.dir, `stall-${port}`) };
  let cmd;
  let args;
  let caPath;
  if (kind === 'mitmdump') {
    [cmd, args] = pinned('mitmdump', ['--listen-host', '127.0.0.1', '-p', String(port), '--set', `confdir=${w.dir}/mitm`, '--set', 'ssl_verify_upstream_trusted_ca=' + w.certPath, '--set', 'stream_large_bodies=1m', '-q']);
    caPath = join(w.dir, 'mitm', 'mitmproxy-ca-cert.pem');
  } else if (kind === 'mockttp') {
    caPath = join(w.dir, `mockttp-ca-${port}.pem`);
    env.MOCKTTP_PORT = String(port);
    [cmd, args] = pinned(process.execPath, ['--import', join(import.meta.dirname, 'loop-stall.mjs'), join(import.meta.dirname, 'mockttp-proxy.mjs'), w.certPath, caPath]);
  } else {
    const sub = kind === 'pinprobe-ui' ? 'ui' : 'proxy';
    const record = opts.record ?? join(w.dir, `session-${kind}-${port}.jsonl`);
    const recordArgs = kind === 'pinprobe-norec' ? ['--no-record'] : ['--record', record];
    const cliArgs = [join(ROOT, 'bin', 'pinprobe.js'), sub, '--port', String(port), '--listen', '127.0.0.1', '--data-dir', dataDir, ...recordArgs, '--upstream-ca', w.certPath];
    const nodeArgs = ['--import', join(import.meta.dirname, 'loop-stall.mjs'), ...(opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf] : [])];
    [cmd, args] = pinned(process.execPath, [...nodeArgs, ...cliArgs]);
    caPath = join(dataDir, 'ca', 'pinprobe-ca.pem');
  }
  const t0 = performance.now();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  // mockttp picks its port itself when the wanted one is taken; it prints the one it got.
  try {
    await waitForPort(port, 60_000, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${kind}: ${err.message}\n${stderr}`);
  }
  const startMs = performance.now() - t0;
  let uiUrl = null;
  if (kind === 'pinprobe-ui') {
    const until = Date.now() + 10_000;
    while (!(uiUrl = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(stdout)?.[0]) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }
  return {
    kind,
    child,
    pid: child.pid,
    port,
    caPath,
    startMs,
    uiUrl,
    stallFile: env.BENCH_STALL_FILE,
    output: () => stdout + stderr,
    stop: () => new Promise((ok) => {
      if (child.exitCode !== null) return ok();
      child.once('exit', ok);
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 8000).unref();
    }),
  };
}

/**
 * Event-loop stall tracking inside a Node proxy under test: `loopStall(p, 'start')`, then
 * `loopStall(p, 'stop')` gives the longest stall between the two, in ms (null for mitmdump).
 */
export async function loopStall(proxy, what) {
  if (!proxy.stallFile || proxy.kind === 'mitmdump') return null;
  const { readFileSync: read, rmSync } = await import('node:fs');
  rmSync(proxy.stallFile, { force: true });
  // The proxy runs behind taskset (same pid: taskset execs), so the signal reaches Node.
  process.kill(proxy.pid, 'SIGUSR2');
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 5));
    try {
      const text = read(proxy.stallFile, 'utf8');
      if (what === 'start' && text === 'started') return null;
      if (what === 'stop' && text !== 'started' && text !== '') return Number(text);
    } catch {
      // not written yet
    }
  }
  return null;
}

/**
 * The counted window of a keep-alive phase: `loops` run until `stop()`; what they answered
 * while `counting()` is true is the count. Returns req/s and the proxy tree's CPU per request.
 */
export async function countedWindow(proxy, seconds, run) {
  const cpu0 = proxy ? treeCpuUs(proxy.pid) : 0;
  const t0 = performance.now();
  run.counting(true);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  run.counting(false);
  const secs = (performance.now() - t0) / 1000;
  const cpu1 = proxy ? treeCpuUs(proxy.pid) : 0;
  const count = run.count();
  return { requests: count, rps: Math.round(count / secs), cpuUsPerReq: proxy && count ? Math.round((cpu1 - cpu0) / count) : null };
}
