// Runs Node's `process.nextTick` a few thousand times before the proxy takes traffic.
//
// Every nextTick builds a tick object with one object literal (computed symbol keys for its
// async ids, then the callback and its arguments), and Node's stream and HTTP code calls
// nextTick from dozens of places that V8 optimizes with nextTick inlined. In a process that
// goes straight from start to heavy traffic, the inline caches of that literal often end up
// megamorphic for the life of the process (seen with `%DebugPrint(process.nextTick)`: its
// keyed-define slots MEGAMORPHIC in the slow processes, MONOMORPHIC in the fast ones), and
// every tick object is then built by V8's runtime (`Runtime_DefineKeyedOwnPropertyInLiteral`
// in `perf`: 5–8 µs per proxied request, in 8 of 12 fresh starts with recording on and 11
// of 19 with it off, more often the slower the machine ran). A few thousand calls at start,
// before any connection, leave those caches monomorphic: in 26 of 26 such starts that
// runtime path was gone (≤ 0.02 µs per request) and the proxy's CPU per keep-alive request
// fell by 8–10%. 200 calls in one turn, or 1,000 spread over 20 event-loop turns, were not
// enough; 3,000 in one turn were. See docs/performance.md.

const CALLS = 5000;
let settled = false;

const noop = (): void => undefined;

/** Once per process, before the proxy listens: ~8 ms (queued and run, with the engine loaded). */
export function settleNextTick(): void {
  if (settled) return;
  settled = true;
  for (let i = 0; i < CALLS; i++) process.nextTick(noop);
}
