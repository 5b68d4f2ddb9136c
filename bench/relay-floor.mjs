#!/usr/bin/env node
// The floor for 10 MiB downloads through any Node TLS relay on this machine: a minimal
// intercepting relay (bench/relay-floor-proxy.mjs, no recording, no checks), pinned and
// driven as `npm run bench` drives Pinprobe, one download at a time on a fresh process.
//   node bench/relay-floor.mjs [raw|rawhwm|http|httphwm][gc] [downloads=8]
// raw: TLS socket piped to TLS socket (no HTTP); http: https.request + pipe; *hwm: 256 KiB buffers;
// *gc: with the young-generation collection Pinprobe's relay asks for every 2 MiB (relay-garbage.ts).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import * as lib from './lib.mjs';
import { connect } from './client.mjs';

const mode = process.argv[2] ?? 'rawhwm';
const N = Number(process.argv[3] ?? 8);
lib.pinSelf();
const w = lib.workDir();
const origin = await lib.startOrigin(w);
const port = await new Promise((ok) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => ok(p));
  });
});
const relayArgs = [process.execPath, join(import.meta.dirname, 'relay-floor-proxy.mjs'), w.certPath, w.keyPath, mode, String(port)];
const child = lib.PROXY_CORE === null
  ? spawn(relayArgs[0], relayArgs.slice(1), { stdio: 'inherit' })
  : spawn('taskset', ['-c', String(lib.PROXY_CORE), ...relayArgs], { stdio: 'inherit' });
await lib.waitForPort(port, 5000);
// CPU of every thread of the relay (ms), from the scheduler's own accounting.
const cpuMs = () => {
  let all = 0;
  for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
    try {
      all += Number(readFileSync(`/proc/${child.pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return all / 1e6;
};
const rates = [];
const cpu = [];
for (let i = 0; i < N; i++) {
  const c = await connect({ host: '127.0.0.1', port: origin.port, proxyPort: port });
  const before = cpuMs();
  const s = performance.now();
  await c.get('/big?mib=10');
  const ms = performance.now() - s;
  c.close();
  await new Promise((r) => setTimeout(r, 20));
  rates.push(Math.round((10.48576 / ms) * 1000));
  cpu.push(Math.round(cpuMs() - before));
}
child.kill();
origin.stop?.();
const median3 = [...rates.slice(0, 3)].sort((a, b) => a - b)[1];
console.log(JSON.stringify({ mode, MBps: rates, cpuMs: cpu, firstThreeMedianMBps: median3 }));
process.exit(0);
