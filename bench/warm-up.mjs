#!/usr/bin/env node
// How a fresh Pinprobe settles under keep-alive load: one proxy (new data dir, pinned like
// the bench's), 20 connections for SECONDS, the proxy's CPU per request from /proc for each
// second of load. With V8 tracing flags it also counts, per second, the functions V8
// finished optimising and the deoptimisations, and lists the deoptimisations after LATE ms.
// Run by hand (needs dist/):
//   node bench/warm-up.mjs [rec|norec] [seconds=8] [node flags, comma-separated]
//   node bench/warm-up.mjs rec 8 --trace-opt,--trace-deopt
//   node bench/warm-up.mjs rec 10 --cpu-prof,--cpu-prof-dir=/tmp/prof
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from './client.mjs';
import { PROXY_CORE, pinSelf, startOrigin, treeCpuUs, waitForPort, workDir } from './lib.mjs';

const mode = process.argv[2] ?? 'rec';
const seconds = Number(process.argv[3] ?? 8);
const flags = (process.argv[4] ?? '').split(',').filter(Boolean);
const lateMs = Number(process.env.LATE ?? 2000);
if (mode !== 'rec' && mode !== 'norec') throw new Error(`bench/warm-up.mjs: mode must be rec or norec, not ${mode}`);
if (!(seconds > 0 && seconds <= 60)) throw new Error('bench/warm-up.mjs: seconds must be 1–60');

pinSelf();
const w = workDir();
const origin = await startOrigin(w);
const port = 20000 + Math.floor(Math.random() * 20000);
const record = mode === 'rec' ? ['--record', join(w.dir, 'session.jsonl')] : ['--no-record'];
const cli = [...flags, join(import.meta.dirname, '..', 'bin', 'pinprobe.js'), 'proxy', '--port', String(port), '--listen', '127.0.0.1', '--data-dir', join(w.dir, 'pp'), ...record, '--upstream-ca', w.certPath];
const [cmd, args] = PROXY_CORE === null ? [process.execPath, cli] : ['taskset', ['-c', String(PROXY_CORE), process.execPath, ...cli]];
const t0 = performance.now();
const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
/** V8's trace lines (on stdout) with when they arrived, ms since the spawn. */
const traced = [];
createInterface({ input: child.stdout }).on('line', (line) => {
  if (/deoptimiz|bailout|completed optimiz/.test(line)) traced.push([performance.now() - t0, line]);
});
try {
  await waitForPort(port, 20_000, child);
  const socks = await Promise.all(Array.from({ length: 20 }, () => connect({ host: '127.0.0.1', port: origin.port, proxyPort: port })));
  let count = 0;
  let stop = false;
  const loops = socks.map(async (c) => {
    while (!stop) {
      try {
        await c.get('/small');
        count++;
      } catch {
        return;
      }
    }
  });
  const loadStart = performance.now() - t0;
  const perSecond = [];
  for (let s = 0; s < seconds; s++) {
    const c0 = count;
    const u0 = treeCpuUs(child.pid);
    const ts = performance.now();
    await new Promise((r) => setTimeout(r, 1000));
    const n = count - c0;
    perSecond.push({ rps: Math.round(n / ((performance.now() - ts) / 1000)), us: n ? Math.round((treeCpuUs(child.pid) - u0) / n) : null });
  }
  stop = true;
  await Promise.all(loops);
  for (const c of socks) c.close();
  console.log(`${mode}: load from ${Math.round(loadStart)} ms after the spawn`);
  perSecond.forEach((p, s) => {
    const from = loadStart + s * 1000;
    const inSecond = traced.filter(([t]) => t >= from && t < from + 1000);
    const deopts = inSecond.filter(([, l]) => /deoptimiz|bailout/.test(l)).length;
    const opts = inSecond.length - deopts;
    console.log(`second ${s + 1}: ${p.rps} req/s, ${p.us} µs/req${flags.some((f) => f.startsWith('--trace')) ? `, ${opts} optimised, ${deopts} deoptimisations` : ''}`);
  });
  const late = traced.filter(([t, l]) => t > loadStart + lateMs && /bailout/.test(l));
  if (flags.includes('--trace-deopt')) {
    console.log(`deoptimisations after ${lateMs} ms of load, before the stop: ${late.length}`);
    for (const [t, l] of late) console.log(`  ${Math.round(t - loadStart)} ms: ${/<JSFunction (\S*)/.exec(l)?.[1] ?? '?'} (${/reason: ([^)]*)/.exec(l)?.[1] ?? '?'})`);
  }
} finally {
  child.kill('SIGINT');
  origin.stop();
}
