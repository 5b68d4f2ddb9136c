// A large download leaves its relayed buffers collectable at once, not piled up outside
// V8's heap until a full collection (relay-garbage.ts). Real parts: curl as the client, the
// engine in this process (so its buffers are this process's `arrayBuffers`), an HTTPS origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRepeated, startOrigin, type Origin } from '../../helpers/origin.js';
import { run } from '../../helpers/run.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { RELAY_GC_STEP } from '../../../proxy/net/relay-garbage.js';

const MiB = 1024 * 1024;
const SIZE = 10 * MiB;
// Text, as most large answers a tester sees are; its capture is kept as one 1 MiB string.
const BLOCK = Buffer.alloc(64 * 1024, 'b');

describe('relaying large bodies', () => {
  let origin: Origin;
  let proxy: TestEngine;
  beforeAll(async () => {
    origin = await startOrigin((_req, res) => sendRepeated(res, BLOCK, SIZE));
    proxy = await startEngine({ scenario: 'trusted', mapRemote: [{ from: 'big.app.test', to: `127.0.0.1:${origin.port}` }] });
  });
  afterAll(async () => {
    await proxy.close();
    await origin.close();
  });

  // Each 16 KiB record relayed makes two buffers (the TLS read and the HTTP parser's copy):
  // 20 MiB per download. Without the collections they stayed until V8 ran a full collection
  // (peak 40-60 MiB over three downloads, measured); with them the peak is a few steps' worth.
  it('keeps the buffers outside the heap within a few collection steps over three 10 MiB downloads', async () => {
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 2);
    try {
      for (let i = 0; i < 3; i++) {
        const r = await run('curl', ['-sS', '--proxy', proxy.proxyUrl, '--cacert', proxy.caPath, '-o', '/dev/null', '-w', '%{size_download}', 'https://big.app.test/big'], { timeoutMs: 60_000 });
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe(String(SIZE));
      }
    } finally {
      clearInterval(sample);
    }
    const peakMiB = peak / MiB;
    // Two copies of a step, the 1 MiB capture and its string's bytes, the writer's batch: well under 8 steps.
    expect(peakMiB, `peak of buffers outside the heap: ${peakMiB.toFixed(1)} MiB`).toBeLessThan((8 * RELAY_GC_STEP) / MiB);
  }, 120_000);
});
