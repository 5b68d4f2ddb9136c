#!/usr/bin/env node
// The live verdicts' passive scan (judge/backend-passive.ts) of one app-like request: a
// bearer JWT, an API key, a cookie, a few plain headers — the same token on every request,
// as apps send it. Prints µs per request over 20,000 requests after 5,000 to warm up.
// Run by hand, pinned like the proxy: taskset -c 1 node bench/passive-scan.mjs (needs dist/).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { PassiveTally } = await import(pathToFileURL(join(import.meta.dirname, '..', 'dist', 'proxy', 'judge', 'backend-passive.js')).href);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'abc' })}.${b64({ sub: 'user-123', iat: 1796000000, exp: 1796003600, scope: 'read write', aud: 'api', iss: 'https://auth.example.com/', extra: 'x'.repeat(300) })}.${'s'.repeat(342)}`;
const headers = [
  ['Host', 'api.example.com'], ['Authorization', `Bearer ${jwt}`], ['User-Agent', 'okhttp/4.12.0'], ['Accept', 'application/json'],
  ['Cookie', `session=${'a'.repeat(40)}; _ga=GA1.2.3.4; theme=dark`], ['X-Api-Key', `AIzaSyD${'x'.repeat(32)}`], ['Accept-Encoding', 'gzip'],
];
const request = (i) => ({
  type: 'request', time: new Date(1_796_000_000_000 + i).toISOString(), id: `r${i}`, conn: 'c1', scheme: 'https', method: 'GET',
  url: `https://api.example.com/v1/items?page=${i % 10}&limit=20`, host: 'api.example.com', port: 443, httpVersion: '1.1', headers,
  body: { size: 0, encoding: 'utf8', data: '', truncated: false }, clientAddress: '127.0.0.1',
});
const warm = new PassiveTally();
for (let i = 0; i < 5000; i++) warm.add(request(i), i);
const tally = new PassiveTally();
const n = 20_000;
const t = performance.now();
for (let i = 0; i < n; i++) tally.add(request(i), i);
const us = ((performance.now() - t) * 1000) / n;
console.log(`passive scan: ${us.toFixed(1)} µs per request (${n} requests; findings: ${tally.findings().map((f) => f.id).join(', ')})`);
