import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import { renderHtml, renderJson, renderText } from '../../proxy/report/index.js';
import { EventBuilder } from '../fixtures/events.js';

describe('session advice: the device does not trust the CA', () => {
  const untrusting = () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'handshake', alert: 'certificate_unknown' });
    b.tls({ host: 'cdn.example.com', scenario: 'trusted', result: 'rejected', stage: 'handshake', alert: 'certificate_unknown' });
    return b;
  };

  it('is given when every trusted connection was refused in the handshake and none accepted', () => {
    const report = judge(untrusting().lines, { file: 's' });
    expect(report.advice?.map((a) => a.id)).toEqual(['ca-not-trusted']);
    expect(report.advice?.[0].text).toMatch(/2 hosts refused it during the handshake.*system store.*Certificate Trust Settings/);
  });

  it('is not given once any host accepted trusted (the device trusts the CA)', () => {
    const b = untrusting();
    b.tls({ host: 'other.example.com', scenario: 'trusted', result: 'accepted' });
    expect(judge(b.lines, { file: 's' }).advice).toEqual([]);
  });

  it('is not given for after-handshake refusals (that is pinning evidence, not distrust)', () => {
    const b = new EventBuilder();
    b.tls({ host: 'api.example.com', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' });
    expect(judge(b.lines, { file: 's' }).advice).toEqual([]);
  });

  it('shows in the text and HTML reports but stays out of the SPEC JSON', () => {
    const b = untrusting();
    const report = judge(b.lines, { file: 's' });
    expect(renderText(report, { color: false })).toMatch(/Note: No connection accepted Pinprobe's CA/);
    expect(renderHtml(report, b.lines)).toMatch(/id="advice-ca-not-trusted"/);
    expect(JSON.parse(renderJson(report))).not.toHaveProperty('advice');
  });
});
