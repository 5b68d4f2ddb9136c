// The sentence each kind of `unknown` mTLS evidence gets (judge/mtls-words.ts): every branch
// names its cause and what would settle it; decided verdicts get none.
import { describe, expect, it } from 'vitest';
import { looksCleartextOnly, mtlsUnknownWords, unreachableWords } from '../../proxy/judge/mtls-words.js';
import { SCENARIOS } from '../../proxy/session/events.js';

const unknown = (evidence: string | null) => ({ verdict: 'unknown' as const, evidence });
const words = (evidence: string | null, hostPort = 'api.example:443') => mtlsUnknownWords(unknown(evidence), 'api.example', hostPort);

describe('mtlsUnknownWords', () => {
  it('says nothing for a decided verdict', () => {
    expect(mtlsUnknownWords({ verdict: 'enforced', evidence: 'tls-alert:certificate_required' }, 'a', 'a:443')).toBeNull();
    expect(mtlsUnknownWords({ verdict: 'not-enforced', evidence: 'http-200' }, 'a', 'a:443')).toBeNull();
  });
  it('connect failures: the cause in words, a 502, and probe-mtls without the default port', () => {
    expect(words('error:ECONNREFUSED')).toMatch(/^Pinprobe could not reach the backend: the connection to api\.example:443 was refused .*502.* pinprobe probe-mtls https:\/\/api\.example\/$/);
    expect(words('error:ENOTFOUND')).toContain('the name api.example does not resolve on this computer');
    expect(words('error:EAI_AGAIN')).toContain('no DNS answer for api.example');
    expect(words('error:EHOSTUNREACH')).toContain('no route to api.example');
    expect(words('error:ERR_PINPROBE_TIMEOUT', 'api.example:8443')).toMatch(/api\.example:8443 did not answer in time.*probe-mtls https:\/\/api\.example:8443\/$/);
  });
  it("Pinprobe's own refusals and an untrusted backend certificate say which option changes them", () => {
    expect(words('error:EPINPROBELOCAL')).toContain('--map-remote');
    expect(words('error:EPINPROBELOOP')).toContain("Pinprobe's own listener");
    expect(words('error:UNABLE_TO_VERIFY_LEAF_SIGNATURE')).toBe("Pinprobe did not trust the certificate of api.example:443 (UNABLE_TO_VERIFY_LEAF_SIGNATURE), so it asked nothing: pass the backend's CA with --upstream-ca FILE");
    expect(words('error:ERR_TLS_CERT_ALTNAME_INVALID')).toContain('--upstream-ca');
  });
  it('indecisive answers: what to compare with', () => {
    expect(words('tls-alert:protocol_version')).toContain('tries TLS 1.2 and 1.3');
    expect(words('http-403')).toMatch(/403 .*--client-cert HOST=FILE/);
    expect(words('reset:in-handshake')).toMatch(/ended with reset:in-handshake, which a backend without mTLS can cause too/);
    expect(words('error:ESOMETHING')).toMatch(/failed \(ESOMETHING\)/);
  });
  it('no attempt at all: nothing reached the backend, unless only cleartext was seen', () => {
    expect(words(null)).toMatch(/no request of the app has reached it through Pinprobe yet.*probe-mtls/);
    expect(mtlsUnknownWords(unknown(null), 'a', 'a:80', true)).toBe('does not apply: only cleartext HTTP was seen on a:80, so there was no TLS connection to the backend');
    // An attempt that was made is told even on a host that also saw cleartext.
    expect(mtlsUnknownWords(unknown('error:ECONNREFUSED'), 'a', 'a:443', true)).toContain('could not reach');
  });
});

describe('helpers', () => {
  it('unreachableWords knows only reaching-the-host codes', () => {
    expect(unreachableWords('ECONNREFUSED', 'h:1', 'h')).toContain('refused');
    expect(unreachableWords('ECONNRESET', 'h:1', 'h')).toBeNull();
  });
  it('looksCleartextOnly: cleartext and no scenario with any result', () => {
    const client = Object.fromEntries(SCENARIOS.map((s) => [s, { result: 'untested' }])) as never;
    expect(looksCleartextOnly({ cleartext: true, client })).toBe(true);
    expect(looksCleartextOnly({ cleartext: false, client })).toBe(false);
    const seen = Object.fromEntries(SCENARIOS.map((s) => [s, { result: s === 'trusted' ? 'accepted' : 'untested' }])) as never;
    expect(looksCleartextOnly({ cleartext: true, client: seen })).toBe(false);
  });
});
