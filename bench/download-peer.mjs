#!/usr/bin/env node
// The 1 GiB throttled download of download-rss.mjs, through either proxy, for comparison.
// Usage: node bench/download-peer.mjs [pinprobe|mitmdump] [MiB=1024] [rate=100M]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import https from 'node:https';
import { sampleRss, startProxy, workDir } from './lib.mjs';

const kind = process.argv[2] ?? 'pinprobe';
const sizeMiB = Number(process.argv[3] ?? 1024);
const rate = process.argv[4] ?? '100M';
const MiB = 1024 * 1024;
const w = workDir();
const block = Buffer.concat(Array.from({ length: MiB / 64 }, (_, i) => createHash('sha512').update(String(i)).digest()));
const expected = createHash('sha256');
for (let i = 0; i < sizeMiB; i++) expected.update(block);
const sha = expected.digest('hex');
const origin = https.createServer({ cert: w.cert, key: w.key }, (_req, res) => {
  res.writeHead(200, { 'content-length': sizeMiB * MiB });
  let sent = 0;
  const write = () => {
    while (sent < sizeMiB) {
      sent++;
      if (!res.write(block)) return void res.once('drain', write);
    }
    res.end();
  };
  write();
});
await new Promise((ok) => origin.listen(0, '127.0.0.1', ok));
const proxy = await startProxy(kind, w.dir, w.certPath);
await new Promise((r) => setTimeout(r, 500));
const peak = sampleRss(proxy.child.pid);
const started = performance.now();
const got = await new Promise((ok) => {
  const c = spawn('bash', ['-c', `curl -sS --max-time 600 --limit-rate ${rate} --proxy http://127.0.0.1:${proxy.port} --cacert ${proxy.caPath} https://localhost:${origin.address().port}/big | sha256sum`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  c.stdout.on('data', (d) => (text += d));
  c.on('close', () => ok(text.split(' ')[0]));
});
const secs = (performance.now() - started) / 1000;
const peakRssMiB = peak();
await proxy.stop();
origin.close();
console.log(JSON.stringify({ proxy: kind, sizeMiB, rate, intact: got === sha, seconds: +secs.toFixed(1), MiBps: +(sizeMiB / secs).toFixed(1), peakRssMiB }));
process.exit(0);
