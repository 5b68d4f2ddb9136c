// Frees the buffers a large body leaves behind while they are still young.
//
// Node hands each TLS record (16 KiB) to JavaScript in a new buffer, and its HTTP parser
// copies every body chunk once more, so a 10 MiB download leaves ~20 MiB of dead buffers
// outside V8's heap. V8 frees such a buffer only when a collection finds its small wrapper
// object dead, and a relay makes too few wrappers to fill the young generation soon: the
// dead megabytes pile up (measured: +20 MiB of RSS per 10 MiB download, 120 MiB peak for
// eight at once) and their count outside the heap starts full collections of the whole heap
// (about one per download, ~20% of the relay's CPU in `perf`). A young-generation collection
// after every few relayed megabytes frees them at a cost of well under a millisecond.
//
// The hook is V8's own `gc` function, exposed at run time on first use; where that is not
// available the relay simply runs without it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Relayed body bytes between two young-generation collections. */
export const RELAY_GC_STEP = 2 * 1024 * 1024;

type Collect = (options: { type: 'minor' | 'major' }) => void;

let pending = 0;
let collect: Collect | null | undefined;

/** Counts body bytes the proxy relayed; every RELAY_GC_STEP of them, a young-generation collection. */
export function noteRelayed(bytes: number): void {
  pending += bytes;
  if (pending < RELAY_GC_STEP) return;
  pending = 0;
  // null: tried and unavailable (not tried again every step).
  if (collect === undefined) collect = exposeGc();
  collect?.({ type: 'minor' });
}

/** How many collections the relay asked for so far (tests, diagnostics). */
export let relayCollections = 0;

function exposeGc(): Collect | null {
  try {
    // The flag only affects contexts made after it: the new context's global `gc`.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc !== 'function') return null;
    return (options) => {
      relayCollections++;
      (gc as Collect)(options);
    };
  } catch {
    return null;
  }
}
