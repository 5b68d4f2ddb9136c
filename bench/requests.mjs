#!/usr/bin/env node
// Benchmark: small HTTPS requests through the proxy under test, (a) over keep-alive
// connections and (b) each on a new intercepted TLS connection (one client outcome and one
// certificate lookup each). Prints requests/s, latency percentiles and the proxy's peak RSS.
// Bounded: each phase stops after SECONDS or MAX requests, whichever comes first.
// Usage: node bench/requests.mjs [pinprobe|mitmdump] [seconds=10] [concurrency=20]
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { sampleRss, startProxy, workDir } from './lib.mjs';

const kind = process.argv[2] ?? 'pinprobe';
const seconds = Number(process.argv[3] ?? 10);
const concurrency = Number(process.argv[4] ?? 20);
const MAX = 200_000;

const w = workDir();
const body = JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item ${i}` })) });
const origin = https.createServer({ cert: w.cert, key: w.key }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
await new Promise((ok) => origin.listen(0, '127.0.0.1', ok));
const originPort = origin.address().port;
const proxy = await startProxy(kind, w.dir, w.certPath);
const { readFileSync } = await import('node:fs');
// mitmdump writes its CA when it starts; give it a moment to exist.
let ca;
for (let i = 0; i < 50 && !ca; i++) {
  try {
    ca = readFileSync(proxy.caPath);
  } catch {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An agent whose sockets are CONNECT tunnels through the proxy, then TLS to the origin. */
class TunnelAgent extends https.Agent {
  createConnection(options, done) {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: `localhost:${options.port}` });
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) return done(new Error(`CONNECT ${res.statusCode}`));
      const t = tls.connect({ socket, servername: 'localhost', ca });
      t.once('secureConnect', () => done(null, t));
      t.once('error', done);
    });
    req.on('error', done);
    req.end();
  }
}

async function phase(name, keepAlive) {
  const latencies = [];
  let errors = 0;
  const stopAt = performance.now() + seconds * 1000;
  const worker = async () => {
    const agent = new TunnelAgent({ keepAlive, maxSockets: 1 });
    while (performance.now() < stopAt && latencies.length < MAX) {
      const t0 = performance.now();
      const ok = await new Promise((resolve) => {
        const req = https.request({ host: 'localhost', port: originPort, path: '/items', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        });
        req.on('error', () => resolve(false));
        req.end();
      });
      if (ok) latencies.push(performance.now() - t0);
      else errors++;
    }
    agent.destroy();
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const secs = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => +(latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? 0).toFixed(1);
  return { phase: name, requests: latencies.length, errors, perSecond: Math.round(latencies.length / secs), p50ms: pct(50), p99ms: pct(99) };
}

const peak = sampleRss(proxy.child.pid);
const results = [await phase('keep-alive', true), await phase('new-connection', false)];
const peakRssMiB = peak();
await proxy.stop();
origin.close();
for (const r of results) console.log(JSON.stringify({ proxy: kind, concurrency, ...r, peakRssMiB }));
process.exit(0);
