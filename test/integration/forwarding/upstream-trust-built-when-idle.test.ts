// The backend trust store (every root plus --upstream-ca) is parsed once the proxy listens,
// not inside the first request that needs it; that request then uses the very same context.
import { afterEach, describe, expect, it, vi } from 'vitest';
import https from 'node:https';
import { UpstreamPool } from '../../../proxy/net/upstream.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { run } from '../../helpers/run.js';

describe('the upstream trust store', () => {
  let proxy: TestEngine | null = null;
  let origin: Origin | null = null;
  afterEach(async () => {
    vi.restoreAllMocks();
    await proxy?.close();
    await origin?.close();
  });

  it('is built right after the proxy starts listening, and the first request uses it', async () => {
    const prepared: UpstreamPool[] = [];
    const real = UpstreamPool.prototype.prepare;
    vi.spyOn(UpstreamPool.prototype, 'prepare').mockImplementation(function (this: UpstreamPool) {
      prepared.push(this);
      real.call(this);
    });
    origin = await startOrigin((_req, res) => res.end('ok'));
    proxy = await startEngine({ scenario: 'trusted', mapRemote: [{ from: 'api.app.test', to: `127.0.0.1:${origin.port}` }] });
    await new Promise((r) => setTimeout(r, 20));
    expect(prepared).toHaveLength(1);
    const built = prepared[0].secureContext(null);
    const agent = prepared[0].httpsAgent('api.app.test', 443).agent as https.Agent & { options: { secureContext?: unknown } };
    expect(agent.options.secureContext).toBe(built);
    const r = await run('curl', ['-sS', '--proxy', proxy.proxyUrl, '--cacert', proxy.caPath, 'https://api.app.test/']);
    expect(r.stdout).toBe('ok');
  });

  it('is not built for a proxy stopped before it got to it', async () => {
    const prepared: UpstreamPool[] = [];
    vi.spyOn(UpstreamPool.prototype, 'prepare').mockImplementation(function (this: UpstreamPool) {
      prepared.push(this);
    });
    const engine = await startEngine({ scenario: 'trusted' });
    // In the tick start() resolved in: the build is still only due.
    const stopped = engine.close();
    await stopped;
    await new Promise((r) => setTimeout(r, 20));
    expect(prepared).toHaveLength(0);
  });
});
