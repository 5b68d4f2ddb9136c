// Host names come off the network (CONNECT targets, SNI): a bidirectional override in one
// must not make the UI, the terminal or the HTML report show it as another name.
import { describe, expect, it } from 'vitest';
import { hostPort, hostWithPort } from '../../renderer/src/lib/format.js';
import { terminalSafe } from '../../proxy/report/terminal-safe.js';
import { escapeHtml } from '../../proxy/report/html-escape.js';

const SPOOF = 'x\u202emoc.elpmaxe.dennip';

describe('host names with bidi controls', () => {
  it('the UI shows each control as ?, IPv6 still in brackets', () => {
    expect(hostPort(SPOOF, 443)).toBe('x?moc.elpmaxe.dennip');
    expect(hostWithPort(`a\u2066b\u2069c\u200e\u200f\u061c`, 8443)).toBe('a?b?c???:8443');
    expect(hostWithPort('::1', 8443)).toBe('[::1]:8443');
  });

  it('the terminal and the HTML report do the same, and keep ordinary non-ASCII text', () => {
    expect(terminalSafe(`${SPOOF}\x1b[2J\r`)).toBe('x?moc.elpmaxe.dennip?[2J?');
    expect(escapeHtml(`<${SPOOF}>`)).toBe('&lt;x?moc.elpmaxe.dennip&gt;');
    expect(terminalSafe('bücher.example')).toBe('bücher.example');
    expect(escapeHtml('مثال.example')).toBe('مثال.example');
  });
});
