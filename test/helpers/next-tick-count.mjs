// Preload (--import) for a child process: counts calls to process.nextTick and writes, to
// NEXT_TICK_LOG, how many there had been when each net server began to listen.
import { writeFileSync } from 'node:fs';
import net from 'node:net';

const log = process.env.NEXT_TICK_LOG;
const original = process.nextTick;
let calls = 0;
process.nextTick = function countedNextTick(...args) {
  calls++;
  return original.apply(process, args);
};
const listen = net.Server.prototype.listen;
const atListen = [];
net.Server.prototype.listen = function countedListen(...args) {
  atListen.push(calls);
  if (log) writeFileSync(log, JSON.stringify(atListen));
  return listen.apply(this, args);
};
