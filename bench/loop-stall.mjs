// Preloaded into Node proxies under test (`node --import`): tracks the longest event-loop
// stall and writes it (ms) to $BENCH_STALL_FILE on SIGUSR2, then starts a new window.
// Measurement only; the proxy's code is unchanged.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_STALL_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  process.on('SIGUSR2', () => {
    writeFileSync(file, String(h.max / 1e6));
    h.reset();
  });
}
