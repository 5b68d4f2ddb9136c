// Starts a real engine in-process on loopback with a temp data dir, for integration tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineSettings } from '../../proxy/api/engine-port.js';
import { Engine, type EngineOptions } from '../../proxy/engine.js';
import type { SessionLine } from '../../proxy/session/events.js';
import { testPki } from './pki.js';

export interface TestEngine {
  engine: Engine;
  port: number;
  proxyUrl: string;
  caPath: string;
  dataDir: string;
  close(): Promise<void>;
  /** Waits until a line matches (default 10 s), returns it. */
  waitFor<T extends SessionLine>(pred: (l: SessionLine) => l is T, timeoutMs?: number): Promise<T>;
  waitFor(pred: (l: SessionLine) => boolean, timeoutMs?: number): Promise<SessionLine>;
}

export async function startEngine(settings: Partial<EngineSettings> = {}, options: Partial<EngineOptions> = {}): Promise<TestEngine> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'pinprobe-data-'));
  const engine = await Engine.create({
    port: 0,
    listen: '127.0.0.1',
    dataDir,
    // Tests run on loopback: handshakes take a few ms, so a 1 s floor is still generous.
    idleWindow: { floorMs: 1000, factor: 10, capMs: 3000 },
    ...options,
    settings: { upstreamCa: [testPki().caCertPath], ...settings },
  });
  await engine.start();
  const waitFor = (pred: (l: SessionLine) => boolean, timeoutMs = 10_000): Promise<SessionLine> =>
    new Promise((resolve, reject) => {
      const hit = engine.lines().find(pred);
      if (hit) return resolve(hit);
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no matching session line within ${timeoutMs} ms; lines: ${engine.lines().map((l) => l.type).join(',')}`));
      }, timeoutMs);
      const off = engine.subscribe((l) => {
        if (pred(l)) {
          clearTimeout(timer);
          off();
          resolve(l);
        }
      });
    });
  return {
    engine,
    port: engine.port,
    proxyUrl: `http://127.0.0.1:${engine.port}`,
    caPath: engine.root.certPath,
    dataDir,
    close: () => engine.close(),
    waitFor: waitFor as TestEngine['waitFor'],
  };
}
