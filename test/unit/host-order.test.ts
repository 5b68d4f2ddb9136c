// The hosts board lists hosts in the judge's order (one function, proxy/judge/host-order.ts,
// which the UI bundles without engine or Node code): worst finding first, hosts without
// findings last, then by name and port — no tie-breaker of the UI's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import type { Finding, HostVerdict } from '../../proxy/judge/report-types.js';
import { sortHosts } from '../../renderer/src/model/hosts.js';
import { sampleSession } from '../fixtures/sample-session.js';

const finding = (severity: Finding['severity'], id = `pinning-${severity}`): Finding => ({ id, severity, title: id, masvs: 'MASVS-NETWORK-2' });

describe('host order', () => {
  const judged = judge(sampleSession().lines, { file: 'sample.pinprobe.jsonl' }).hosts;

  it('the UI sorts a shuffled report back into the judge\'s order', () => {
    expect(judged.length).toBeGreaterThan(3);
    const shuffled = [...judged].reverse();
    shuffled.push(shuffled.shift() as HostVerdict);
    expect(sortHosts(shuffled).map((h) => `${h.host}:${h.port}`)).toEqual(judged.map((h) => `${h.host}:${h.port}`));
  });

  it('ties on the worst severity go by name and port, not by finding count or pinning', () => {
    const base = judged[0];
    const hosts: HostVerdict[] = [
      { ...base, host: 'b.example', port: 443, pinning: 'pinned', findings: [finding('high')] },
      { ...base, host: 'a.example', port: 8443, pinning: 'not-pinned', findings: [finding('high'), finding('low', 'mtls-low')] },
      { ...base, host: 'a.example', port: 443, pinning: 'untested', findings: [finding('high')] },
      { ...base, host: 'c.example', port: 443, findings: [] },
      { ...base, host: 'z.example', port: 443, findings: [finding('critical')] },
    ];
    expect(sortHosts(hosts).map((h) => `${h.host}:${h.port}`)).toEqual(['z.example:443', 'a.example:443', 'a.example:8443', 'b.example:443', 'c.example:443']);
  });

  it('host-order.ts imports nothing but the report types (so the UI bundle stays free of engine code)', () => {
    const text = readFileSync(join(import.meta.dirname, '../../proxy/judge/host-order.ts'), 'utf8');
    const imports = [...text.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(imports).toEqual(['./report-types.js']);
    const types = readFileSync(join(import.meta.dirname, '../../proxy/judge/report-types.ts'), 'utf8');
    expect([...types.matchAll(/^import (?!type)/gm)]).toEqual([]);
  });
});
