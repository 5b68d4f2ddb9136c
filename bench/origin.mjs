#!/usr/bin/env node
// The benchmark's HTTPS origin, in its own process so its CPU is not the client's or the
// proxy's. Listens on 127.0.0.1 (the load) and on 127.0.0.2–127.0.0.51 (the "50 new hosts"),
// all on one port; /small answers 1 KiB, /big?mib=N streams N MiB with backpressure.
// Prints {"port":N} on stdout once listening. Loopback only.
import https from 'node:https';
import net from 'node:net';
import { readFileSync } from 'node:fs';

const [certPath, keyPath, extra] = process.argv.slice(2);
const extraHosts = Number(extra ?? 50);
const small = Buffer.alloc(1024, 'a');
const MiB = 1024 * 1024;
const block = Buffer.alloc(64 * 1024, 'b');
const server = https.createServer({ cert: readFileSync(certPath), key: readFileSync(keyPath), keepAliveTimeout: 60_000 }, (req, res) => {
  const url = new URL(req.url ?? '/', 'https://x');
  if (url.pathname === '/big') {
    const total = Number(url.searchParams.get('mib') ?? 10) * MiB;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
    let sent = 0;
    const write = () => {
      while (sent < total) {
        sent += block.length;
        if (!res.write(block)) return void res.once('drain', write);
      }
      res.end();
    };
    write();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': small.length });
  res.end(small);
});
server.keepAliveTimeout = 60_000;
// One TLS server, fed by plain listeners on each loopback address (a server listens once).
const feed = net.createServer((socket) => server.emit('connection', socket));
await new Promise((ok) => feed.listen(0, '127.0.0.1', ok));
const port = feed.address().port;
for (let i = 2; i < 2 + extraHosts; i++) {
  const extraFeed = net.createServer((socket) => server.emit('connection', socket));
  await new Promise((ok, fail) => extraFeed.once('error', fail).listen(port, `127.0.0.${i}`, ok));
}
process.stdout.write(JSON.stringify({ port }) + '\n');
process.on('SIGTERM', () => process.exit(0));
// Never outlive the benchmark (a crashed or interrupted run must not leave origins behind).
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 500).unref();
