// The relay's young-generation collections: one per RELAY_GC_STEP relayed bytes, real V8
// collections (seen by a PerformanceObserver), none for the bytes in between.
import { describe, expect, it } from 'vitest';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import * as relay from '../../proxy/net/relay-garbage.js';

function minorCollections(run: () => void): Promise<number> {
  return new Promise((resolve) => {
    let minor = 0;
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
        if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
      }
    });
    obs.observe({ entryTypes: ['gc'] });
    run();
    // GC entries are delivered asynchronously.
    setTimeout(() => {
      obs.disconnect();
      resolve(minor);
    }, 50);
  });
}

describe('relay garbage', () => {
  it('asks V8 for one young-generation collection per step of relayed bytes', async () => {
    const before = relay.relayCollections;
    const seen = await minorCollections(() => {
      // 16 KiB records, as TLS hands them over: three steps' worth.
      for (let sent = 0; sent < 3 * relay.RELAY_GC_STEP; sent += 16 * 1024) relay.noteRelayed(16 * 1024);
    });
    expect(relay.relayCollections - before).toBe(3);
    expect(seen).toBeGreaterThanOrEqual(3);
  });

  it('does nothing for small bodies', () => {
    const before = relay.relayCollections;
    for (let i = 0; i < 100; i++) relay.noteRelayed(1024);
    expect(relay.relayCollections).toBe(before);
  });
});
