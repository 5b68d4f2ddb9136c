// A worker thread for the burst phase: one keep-alive connection through the proxy, one
// request at a time; reports the slowest answer since the last reset.
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from './client.mjs';

const c = await connect(workerData);
let xs = [];
parentPort.on('message', (m) => {
  if (m === 'reset') {
    xs = [];
    parentPort.postMessage('ok');
  } else {
    const sorted = [...xs].sort((a, b) => a - b);
    parentPort.postMessage({ max: sorted[sorted.length - 1] ?? 0, p50: sorted[Math.floor(sorted.length / 2)] ?? 0, n: xs.length });
    xs = [];
  }
});
parentPort.postMessage('ready');
for (;;) {
  const s = performance.now();
  await c.get('/small');
  xs.push(performance.now() - s);
  // A little idle between requests, as an app would have; keeps the probe cheap.
  await new Promise((r) => setTimeout(r, 1));
}
