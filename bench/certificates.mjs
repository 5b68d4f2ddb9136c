#!/usr/bin/env node
// Benchmark: time to issue a leaf and its secure context for new hosts (median of 50),
// with the built engine (`npm run build` first). No network.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateRootCa } from '../dist/proxy/ca/root-ca.js';
import { CertificateIssuer } from '../dist/proxy/ca/issuer.js';

const root = await loadOrCreateRootCa(mkdtempSync(join(tmpdir(), 'pinprobe-bench-ca-')));
const issuer = await CertificateIssuer.create(root);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const out = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return +median(out).toFixed(2);
};
const leaf = await time((i) => issuer.certificate(`leaf-${i}.example.com`, 'trusted'));
const context = await time((i) => issuer.secureContext(`ctx-${i}.example.com`, 'trusted'));
const burst = await (async () => {
  const before = issuer.issuedCount();
  await Promise.all(Array.from({ length: 20 }, () => issuer.secureContext('burst.example.com', 'trusted')));
  return issuer.issuedCount() - before;
})();
console.log(JSON.stringify({ leafMedianMs: leaf, leafAndContextMedianMs: context, certificatesFor20SimultaneousFirstConnections: burst }));
