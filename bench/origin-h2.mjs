#!/usr/bin/env node
// The benchmark's HTTP/2-only origin (ALPN h2, no HTTP/1.1), in its own process: /small
// answers 1 KiB. Prints {"port":N} once listening on 127.0.0.1. Loopback only.
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';

const [certPath, keyPath] = process.argv.slice(2);
const small = Buffer.alloc(1024, 'a');
const server = http2.createSecureServer({ cert: readFileSync(certPath), key: readFileSync(keyPath), settings: { maxConcurrentStreams: 1000 } });
server.on('stream', (stream) => {
  stream.on('error', () => undefined);
  stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': small.length });
  stream.end(small);
});
server.on('sessionError', () => undefined);
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
process.on('SIGTERM', () => process.exit(0));
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 500).unref();
