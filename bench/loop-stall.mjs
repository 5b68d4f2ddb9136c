// Preloaded into Node proxies under test (`node --import`): the first SIGUSR2 starts
// tracking the longest event-loop stall, the next writes it (ms) to $BENCH_STALL_FILE and
// stops (a 1 ms sampling timer would otherwise cost CPU in every other phase).
// Measurement only; the proxy's code is unchanged.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_STALL_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let on = false;
  process.on('SIGUSR2', () => {
    if (!on) {
      h.reset();
      h.enable();
      writeFileSync(file, 'started');
    } else {
      h.disable();
      writeFileSync(file, String(h.max / 1e6));
    }
    on = !on;
  });
}
