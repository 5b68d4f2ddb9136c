// A stop signal that arrives while a finished `pinprobe proxy` is exiting (a supervisor
// repeating SIGTERM, scripts/start.js forwarding the terminal's SIGHUP late) must not turn
// its exit 0 into "killed by signal": a process that ends by emptying its event loop tears
// Node down with the default signal actions back in place, so such a signal kills it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSession } from '../../../proxy/session/reader.js';
import { spawnProxy } from '../../helpers/run.js';

describe('pinprobe proxy stopped, then signalled again while it exits', () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`exits 0 with the session finished, however many ${signal}s follow the summary`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'pinprobe-late-signal-'));
      const record = join(dataDir, 'late.pinprobe.jsonl');
      const p = await spawnProxy(['--port', '0', '--listen', '127.0.0.1', '--data-dir', dataDir, '--record', record]);
      let closed = false;
      const exited = p.exited.then((r) => ((closed = true), r));
      p.child.kill(signal);
      // From the summary on, the process is done with its session: signal it every
      // millisecond until it is gone (at most 10 s), as a late forwarder or supervisor might.
      const until = Date.now() + 10_000;
      let sent = 0;
      while (!closed && Date.now() < until) {
        if (/Session saved: /.test(p.output())) {
          try {
            p.child.kill(signal);
            sent++;
          } catch {
            // already gone
          }
        }
        await new Promise((ok) => setTimeout(ok, 1));
      }
      const r = await exited;
      expect(sent).toBeGreaterThan(0);
      expect({ code: r.code, signal: r.signal }, r.stderr).toEqual({ code: 0, signal: null });
      const session = await readSession(record);
      expect(session.events.at(-1)?.type).toBe('session-end');
    });
  }
});
