#!/usr/bin/env node
// Benchmark: one large HTTPS download through `pinprobe proxy` (a real child process) to a
// local origin, read by curl at a limited rate so the proxy must exert backpressure.
// Prints throughput and the proxy's peak RSS (VmHWM). Loopback only; stops by itself.
// Usage: node bench/download-rss.mjs [MiB=1024] [rate=200M]
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import https from 'node:https';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 1024);
const rate = process.argv[3] ?? '200M';
const dir = mkdtempSync(join(tmpdir(), 'pinprobe-bench-'));
const sh = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
sh(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost']);

const block = Buffer.concat(Array.from({ length: MiB / 64 }, (_, i) => createHash('sha512').update(String(i)).digest()));
const expected = createHash('sha256');
for (let i = 0; i < sizeMiB; i++) expected.update(block);
const sha = expected.digest('hex');

const origin = https.createServer({ cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')) }, (_req, res) => {
  res.writeHead(200, { 'content-length': sizeMiB * MiB, 'content-type': 'application/octet-stream' });
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
const originPort = origin.address().port;

const bin = join(import.meta.dirname, '..', 'bin', 'pinprobe.js');
const proxy = spawn(process.execPath, [bin, 'proxy', '--port', '0', '--listen', '127.0.0.1', '--data-dir', dir, '--record', join(dir, 's.jsonl'), '--upstream-ca', join(dir, 'c.pem')], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
await new Promise((ok, fail) => {
  const t = setTimeout(() => fail(new Error('proxy did not start')), 20_000);
  proxy.stdout.on('data', (c) => {
    out += c;
    if (/Certificates: /.test(out)) { clearTimeout(t); ok(); }
  });
});
const port = /listening on 127\.0\.0\.1:(\d+)/.exec(out)[1];
let peak = 0;
const sample = setInterval(() => {
  const s = readFileSync(`/proc/${proxy.pid}/status`, 'utf8');
  peak = Math.max(peak, Number(/VmRSS:\s+(\d+)/.exec(s)[1]));
}, 100);
const started = performance.now();
// Async: the origin lives in this process and must keep serving while curl runs.
const got = await new Promise((ok) => {
  const c = spawn('bash', ['-c', `curl -sS --max-time 600 --limit-rate ${rate} --proxy http://127.0.0.1:${port} --cacert ${join(dir, 'ca', 'pinprobe-ca.pem')} https://localhost:${originPort}/big | sha256sum`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  c.stdout.on('data', (d) => (text += d));
  c.on('close', () => ok(text.split(' ')[0]));
});
const secs = (performance.now() - started) / 1000;
clearInterval(sample);
const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proxy.pid}/status`, 'utf8'))[1]);
proxy.kill('SIGINT');
origin.close();
const result = { sizeMiB, rate, intact: got === sha, seconds: +secs.toFixed(1), MiBps: +(sizeMiB / secs).toFixed(1), peakRssMiB: +(Math.max(peak, hwm) / 1024).toFixed(1) };
console.log(JSON.stringify(result));
writeFileSync(join(dir, 'result.json'), JSON.stringify(result));
process.exit(result.intact ? 0 : 1);
