// "Copy as curl" must hand the tester a command that runs curl and nothing else, even for
// a request from a hostile session file (sessions are shared and opened in the UI): the
// method may not break out of the shell, and the URL may not be read as a curl option.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toCurl } from '../../../renderer/src/lib/curl.js';
import type { RequestEvent } from '../../../proxy/session/events.js';

function request(over: Partial<RequestEvent>): RequestEvent {
  return {
    type: 'request', time: '2024-01-01T00:00:00.000Z', id: 'r1', conn: 'c1', scheme: 'https',
    method: 'GET', url: 'https://api.example.com/v1', host: 'api.example.com', port: 443, httpVersion: '1.1',
    headers: [['Accept', 'application/json']], body: { size: 0, encoding: 'utf8', data: '' }, clientAddress: '192.168.1.50',
    ...over,
  } as RequestEvent;
}

/** Runs the command with `curl` replaced by a shell function that prints its arguments. */
function argsOf(command: string, cwd: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `curl() { for a in "$@"; do printf '%s\\0' "$a"; done; }\n${command}`], { cwd, encoding: 'utf8', timeout: 10_000 });
  return out.split('\0').slice(0, -1);
}

describe('copy as curl from a hostile session', () => {
  it('quotes the method, so it cannot run commands', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-curl-'));
    const method = 'POST$(touch pwned)`touch pwned2`;touch pwned3';
    const args = argsOf(toCurl(request({ method })), dir);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
    expect(existsSync(join(dir, 'pwned3'))).toBe(false);
    expect(args.slice(0, 2)).toEqual(['-X', method]);
  });

  it('never lets the URL be read as an option (e.g. -K/dev/stdin with a piped body)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinprobe-curl-'));
    const body = { size: 4, encoding: 'base64' as const, data: Buffer.from('data').toString('base64'), truncated: false };
    for (const url of ['-K/dev/stdin', '--config=/dev/stdin', '-o/tmp/x']) {
      const args = argsOf(toCurl(request({ method: 'POST', url, body })), dir);
      const at = args.indexOf(url);
      expect(at).toBeGreaterThan(0);
      expect(args[at - 1]).toBe('--url');
    }
  });

  it('keeps an ordinary request as a plain curl line', () => {
    expect(toCurl(request({}))).toBe(`curl 'https://api.example.com/v1' -H 'Accept: application/json'`);
  });
});
