// In-process: 50 new hosts ask the built engine's certificate issuer for a secure context
// at once (kept keys, as a normal start has them). How soon the first is ready, when the
// last is, and the longest gap between ticks of a 1 ms timer meanwhile — the leaf cost and
// the stall without any TLS handshake or client in the way. Needs dist/ (npm run build).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function issuerBurst(root, hosts = 50) {
  const dist = (p) => pathToFileURL(join(root, 'dist', 'proxy', p)).href;
  const { loadOrCreateRootCa } = await import(dist('ca/root-ca.js'));
  const { CertificateIssuer } = await import(dist('ca/issuer.js'));
  const dir = mkdtempSync(join(tmpdir(), 'pinprobe-bench-issuer-'));
  const ca = await loadOrCreateRootCa(dir);
  // Older engines take one argument (and then generate their keys at create time).
  const issuer = await CertificateIssuer.create(ca, dirname(ca.keyPath));
  await issuer.secureContext('warm.example.com', 'trusted');
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
  }, 1);
  await new Promise((r) => setTimeout(r, 20));
  longest = 0;
  const s = performance.now();
  const ready = await Promise.all(Array.from({ length: hosts }, (_, i) => issuer.secureContext(`burst-${i}.example.com`, 'trusted').then(() => performance.now() - s)));
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(ticker);
  ready.sort((a, b) => a - b);
  rmSync(dir, { recursive: true, force: true });
  return { firstLeafMs: +ready[0].toFixed(2), medianLeafMs: +ready[Math.floor(hosts / 2)].toFixed(2), lastLeafMs: +ready[hosts - 1].toFixed(2), longestStallMs: +longest.toFixed(1) };
}
