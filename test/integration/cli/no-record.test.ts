// `pinprobe proxy --no-record` routes traffic and records nothing: no session file in the
// data dir, no summary at the stop (the session-recording feature is off the list).
import http from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listenLoopback } from '../../helpers/listen.js';
import { curl, spawnProxy } from '../../helpers/run.js';

describe('pinprobe proxy --no-record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinprobe-norec-'));
  const origin = http.createServer((req, res) => res.end(`plain ${req.url}`));
  afterAll(async () => {
    await new Promise((ok) => origin.close(ok));
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards a request, writes no session file and prints no verdicts', async () => {
    const originPort = await listenLoopback(origin);
    const p = await spawnProxy(['--port', '0', '--listen', '127.0.0.1', '--data-dir', dir, '--no-record']);
    const port = /proxy listening on 127\.0\.0\.1:(\d+)/.exec(p.output())?.[1];
    expect(port).toBeTruthy();
    expect(p.output()).toMatch(/Recording: off \(--no-record\)/);
    const r = await curl(`http://127.0.0.1:${port}`, `http://127.0.0.1:${originPort}/hello`);
    expect(r.stdout).toBe('plain /hello');
    p.child.kill('SIGINT');
    const done = await p.exited;
    expect(done.code).toBe(0);
    expect(done.stdout).not.toMatch(/Session saved/);
    const sessions = join(dir, 'sessions');
    expect(existsSync(sessions) ? readdirSync(sessions) : []).toEqual([]);
  }, 60_000);
});
