// The session list names a session's first hosts as the hosts board does: the port only
// when it is not 443, an IPv6 address in brackets.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listSessions } from '../../proxy/api/session-list.js';
import { EventBuilder } from '../fixtures/events.js';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('listSessions hostNames', () => {
  it('brackets IPv6 hosts and shows non-443 ports', async () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'accepted' });
    b.tls({ host: '::1', port: 8443, scenario: 'trusted', result: 'accepted' });
    b.tls({ host: 'fe80::1', port: 443, scenario: 'trusted', result: 'accepted' });
    dir = mkdtempSync(join(tmpdir(), 'pinprobe-list-'));
    writeFileSync(join(dir, 'a.pinprobe.jsonl'), b.lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const [s] = await listSessions(dir);
    expect(s).toBeDefined();
    expect(new Set((s as { hostNames?: string[] }).hostNames)).toEqual(new Set(['api.example.com', '[::1]:8443', '[fe80::1]']));
  });
});
