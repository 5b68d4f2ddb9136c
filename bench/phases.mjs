// The measurements. Each takes the origin target and the proxy under test (null: no proxy)
// and returns plain numbers. CPU is read from /proc for the proxy's process tree.
import { Worker } from 'node:worker_threads';
import { connect, openTls } from './client.mjs';
import { EXTRA_HOSTS, countedWindow, loopStall, sampleRss, treeCpuUs, treeRssMiB } from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : null);
const round = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? null : +x.toFixed(d));

export function target(originPort, proxy, host = '127.0.0.1') {
  return { host, port: originPort, proxyPort: proxy ? proxy.port : 0 };
}

/** `conns` keep-alive connections, each sending requests back to back, for `seconds`. */
export async function keepAlive(t, proxy, { seconds, conns = 20, warmupMs = 300 }) {
  const sockets = await Promise.all(Array.from({ length: conns }, () => connect(t)));
  let counting = false;
  let stop = false;
  let count = 0;
  let errors = 0;
  const loops = sockets.map(async (c) => {
    while (!stop) {
      try {
        await c.get('/small');
        if (counting) count++;
      } catch {
        errors++;
        return;
      }
    }
  });
  // Warm: every connection's tunnel, TLS handshakes and upstream connection are made and
  // have carried some requests before counting starts.
  const perConn = new Array(conns).fill(0);
  sockets.forEach((c, i) => c.socket.on('data', () => perConn[i]++));
  const until = performance.now() + 20_000;
  while (perConn.some((n) => n < 10) && performance.now() < until) await sleep(20);
  await sleep(warmupMs);
  const w = await countedWindow(proxy, seconds, { counting: (on) => (counting = on), count: () => count });
  stop = true;
  await Promise.all(loops);
  for (const c of sockets) c.close();
  return { requests: w.requests, errors, rps: w.rps, cpuUsPerReq: w.cpuUsPerReq };
}

/** One connection, one request at a time: latency percentiles. */
export async function latency(t, { seconds }) {
  const c = await connect(t);
  for (let i = 0; i < 50; i++) await c.get('/small');
  const xs = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const t0 = performance.now();
    await c.get('/small');
    xs.push(performance.now() - t0);
  }
  c.close();
  xs.sort((a, b) => a - b);
  return { requests: xs.length, p50ms: round(pct(xs, 50), 3), p99ms: round(pct(xs, 99), 3) };
}

/** Every request on a new CONNECT + TLS connection (4 at a time). */
export async function newConnections(t, proxy, { seconds, workers = 4 }) {
  const xs = [];
  let errors = 0;
  let stop = false;
  const cpu0 = proxy ? treeCpuUs(proxy.pid) : 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: workers }, async () => {
    while (!stop) {
      const s = performance.now();
      try {
        const c = await connect(t);
        await c.get('/small');
        c.close();
        xs.push(performance.now() - s);
      } catch {
        errors++;
      }
      if (performance.now() - t0 > seconds * 1000) stop = true;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  const cpu1 = proxy ? treeCpuUs(proxy.pid) : 0;
  xs.sort((a, b) => a - b);
  return { requests: xs.length, errors, rps: Math.round(xs.length / secs), p50ms: round(pct(xs, 50), 2), cpuUsPerReq: proxy ? round((cpu1 - cpu0) / xs.length, 0) : null };
}

/** 10 MiB downloads: `repeat` one after another (MB/s), then 8 at once (peak RSS of the tree), then `warmRepeat` more (MB/s, warm). */
export async function downloads(t, proxy, { repeat, mib = 10, parallel = 8, warmRepeat = 5 }) {
  const one = async () => {
    const c = await connect(t);
    const s = performance.now();
    const n = await c.get(`/big?mib=${mib}`);
    const secs = (performance.now() - s) / 1000;
    c.close();
    if (n < mib * 1024 * 1024) throw new Error(`download cut at ${n} bytes`);
    return (n / 1e6) / secs;
  };
  const rates = [];
  for (let i = 0; i < repeat; i++) rates.push(await one());
  rates.sort((a, b) => a - b);
  const idleRss = proxy ? treeRssMiB(proxy.pid) : null;
  const peak = proxy ? sampleRss(proxy.pid) : null;
  const s = performance.now();
  await Promise.all(Array.from({ length: parallel }, one));
  const aggregate = (parallel * mib * 1024 * 1024) / 1e6 / ((performance.now() - s) / 1000);
  const peakRssMiB = peak ? round(peak(), 1) : null;
  // Informative: the same download once the process has warmed up (after the 8 at once, so
  // the peak above is still a fresh process's). The target is judged on the first three.
  const warm = [];
  for (let i = 0; i < warmRepeat; i++) warm.push(await one());
  warm.sort((a, b) => a - b);
  return { MBps: round(rates[Math.floor(rates.length / 2)], 1), parallelMBps: round(aggregate, 1), idleRssMiB: round(idleRss, 1), peakRssMiB, warmMBps: warm.length ? round(warm[Math.floor(warm.length / 2)], 1) : null };
}

/**
 * 50 new hosts at once (127.0.0.2–51, never seen by the proxy): time to each one's TLS
 * handshake through the proxy. Meanwhile a worker thread keeps one request at a time going
 * on an existing connection; its slowest answer shows how long the proxy stalled, as seen
 * from outside. Node proxies also report their own longest event-loop stall.
 */
export async function burst(t, proxy) {
  const probe = new Worker(new URL('./probe-worker.mjs', import.meta.url), { workerData: t });
  await new Promise((ok) => probe.once('message', ok));
  const ask = () => new Promise((ok) => {
    probe.postMessage('report');
    probe.once('message', ok);
  });
  await sleep(200);
  await ask();
  await sleep(300);
  const baseline = await ask();
  if (proxy) await loopStall(proxy, 'start');
  const s = performance.now();
  const times = await Promise.all(Array.from({ length: EXTRA_HOSTS }, async (_, i) => {
    const sock = await openTls({ ...t, host: `127.0.0.${i + 2}` });
    const ms = performance.now() - s;
    sock.destroy();
    return ms;
  }));
  await sleep(100);
  const during = await ask();
  const stall = proxy ? await loopStall(proxy, 'stop') : null;
  await probe.terminate();
  times.sort((a, b) => a - b);
  return {
    firstMs: round(times[0], 1), medianMs: round(times[Math.floor(times.length / 2)], 1), lastMs: round(times[times.length - 1], 1),
    probeP50Ms: round(baseline.p50, 2), probeMaxMs: round(during.max, 1), loopStallMs: round(stall, 1),
  };
}
