// The HTML report's connection evidence says which HTTP version each intercepted connection
// negotiated (ALPN h2 → HTTP/2), so h2 and gRPC clients read like any other.
import { describe, expect, it } from 'vitest';
import { judge } from '../../proxy/judge/judge.js';
import { renderHtml } from '../../proxy/report/html.js';
import { EventBuilder } from '../fixtures/events.js';

describe('HTML report and HTTP/2', () => {
  it('shows the negotiated HTTP version beside the TLS version; verdicts are those of any client', () => {
    const b = new EventBuilder();
    const h2 = b.tls({ host: 'grpc.example.com', scenario: 'trusted', result: 'accepted' });
    h2.alpn = 'h2';
    b.tls({ host: 'web.example.com', scenario: 'trusted', result: 'accepted' });
    const report = judge(b.lines, { file: 's.jsonl' });
    expect(report.hosts.find((h) => h.host === 'grpc.example.com')?.pinning).toBe('not-pinned');
    const html = renderHtml(report, b.lines);
    expect(html).toContain('TLSv1.3 · HTTP/2</td>');
    expect(html).toContain('TLSv1.3 · HTTP/1.1</td>');
  });
});
