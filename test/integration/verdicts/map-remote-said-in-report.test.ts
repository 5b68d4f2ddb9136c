// A host sent elsewhere by --map-remote (a local mock, a staging server) has its backend
// verdicts from that server, not from the real backend: the session records the rules (the
// header's, and those a settings change brings), and the report says so as a session note
// — live, from the file, in the text and HTML reports. Real curl, a real Node HTTPS origin.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../../proxy/judge/index.js';
import { parseSessionText } from '../../../proxy/session/reader.js';
import type { SessionHeader } from '../../../proxy/session/events.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { curl, pinprobe } from '../../helpers/run.js';

let origin: Origin;
let proxy: TestEngine;
beforeAll(async () => {
  origin = await startOrigin();
  proxy = await startEngine({ scenario: 'trusted', mapRemote: [{ from: 'api.app.test', to: `127.0.0.1:${origin.port}` }] });
});
afterAll(async () => {
  await proxy?.close();
  await origin?.close();
});

describe('--map-remote in the report', () => {
  it('records the rules and says whose answers the backend verdicts are of, live and from the file alike', async () => {
    const r = await curl(proxy.proxyUrl, 'https://api.app.test/hello', ['--cacert', proxy.caPath]);
    expect(r.stdout).toBe('origin says hi to /hello\n');
    const header = proxy.engine.lines()[0] as SessionHeader;
    expect(header.options.mapRemote).toEqual([{ from: 'api.app.test', to: `127.0.0.1:${origin.port}` }]);

    // A rule added while running (the UI's map-remote rows) is in a settings line and in the note too.
    await proxy.engine.updateSettings({ mapRemote: [{ from: 'api.app.test', to: `127.0.0.1:${origin.port}` }, { from: 'cdn.app.test', to: `127.0.0.1:${origin.port}` }] });
    const r2 = await curl(proxy.proxyUrl, 'https://cdn.app.test/img', ['--cacert', proxy.caPath]);
    expect(r2.stdout).toBe('origin says hi to /img\n');

    const live = proxy.engine.report();
    const note = live.advice?.find((a) => a.id === 'map-remote');
    expect(note?.text).toContain(`api.app.test → 127.0.0.1:${origin.port}, cdn.app.test → 127.0.0.1:${origin.port}`);
    expect(note?.text).toMatch(/not of the real backend/);

    proxy.engine.status(); // writes the lines still batched
    const file = proxy.engine.sessionFile;
    const read = parseSessionText(readFileSync(file, 'utf8'), file);
    expect(judge([read.header!, ...read.events], { file: 'live' }).advice).toEqual(live.advice);

    const text = await pinprobe(['report', file]);
    expect(text.stdout).toContain(`Note: --map-remote sent api.app.test → 127.0.0.1:${origin.port}`);
    const html = await pinprobe(['report', file, '--format', 'html']);
    expect(html.stdout).toMatch(/<p class="note advice" id="advice-map-remote"><strong>Note:<\/strong> --map-remote sent api\.app\.test → 127\.0\.0\.1:\d+/);
  });

  it('a session without rules gets no such note', async () => {
    const plain = await startEngine({ scenario: 'trusted' });
    try {
      expect(plain.engine.report().advice?.some((a) => a.id === 'map-remote')).toBe(false);
    } finally {
      await plain.close();
    }
  });
});
