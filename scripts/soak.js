#!/usr/bin/env node
// `npm run soak`: 500 concurrent keep-alive clients send plain HTTP requests through a real
// proxy (a child `pinprobe proxy` process) to a loopback origin for 60 s (SOAK_SECONDS,
// SOAK_CLIENTS override). Loopback only, bounded (each client has one request in flight).
// Prints requests, errors and the proxy's memory (RSS from /proc) every 10 s; exits 1 on
// any error. Needs `npm run build` first.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 500);

const origin = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  res.end(`ok ${req.url}\n`);
});
await new Promise((ok) => origin.listen(0, '127.0.0.1', ok));
const originPort = origin.address().port;

const dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-soak-'));
const proxy = spawn(process.execPath, [join(ROOT, 'bin', 'pinprobe.js'), 'proxy', '--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
proxy.stdout.on('data', (c) => (out += c));
proxy.stderr.on('data', (c) => (out += c));
const started = Date.now();
while (!/Certificates: /.test(out)) {
  if (Date.now() - started > 20_000 || proxy.exitCode !== null) throw new Error(`proxy did not start:\n${out}`);
  await new Promise((ok) => setTimeout(ok, 100));
}
const proxyPort = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(out)[1]);
const rssMiB = () => {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${proxy.pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

let requests = 0;
let errors = 0;
const firstErrors = [];
const end = Date.now() + SECONDS * 1000;
const client = async (n) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  while (Date.now() < end) {
    await new Promise((done) => {
      const req = http.request({ host: '127.0.0.1', port: proxyPort, agent, path: `http://127.0.0.1:${originPort}/c${n}/${requests}`, headers: { host: `127.0.0.1:${originPort}` } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          if (res.statusCode === 200 && body.startsWith('ok ')) requests++;
          else fail(`status ${res.statusCode}`);
          done();
        });
      });
      const fail = (why) => {
        errors++;
        if (firstErrors.length < 5) firstErrors.push(why);
      };
      req.on('error', (e) => {
        fail(e.message);
        done();
      });
      req.end();
    });
  }
  agent.destroy();
};

const samples = [{ at: 0, rss: rssMiB(), requests: 0 }];
const ticker = setInterval(() => {
  const s = { at: Math.round((Date.now() - (end - SECONDS * 1000)) / 1000), rss: rssMiB(), requests };
  samples.push(s);
  console.log(`${s.at}s: ${s.requests} requests, ${errors} errors, proxy RSS ${s.rss} MiB`);
}, 10_000);
await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
clearInterval(ticker);
const finalRss = rssMiB();
proxy.kill('SIGTERM');
const code = await new Promise((ok) => proxy.on('close', ok));
origin.close();
rmSync(dataDir, { recursive: true, force: true });
console.log(`soak: ${CLIENTS} keep-alive clients for ${SECONDS} s: ${requests} requests, ${errors} errors; proxy RSS start ${samples[0].rss} MiB, peak ${Math.max(...samples.map((s) => s.rss), finalRss)} MiB, end ${finalRss} MiB; proxy exit ${code}`);
if (firstErrors.length) console.log(`first errors: ${firstErrors.join('; ')}`);
process.exit(errors === 0 && code === 0 ? 0 : 1);
