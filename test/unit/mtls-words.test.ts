// The sentence each kind of `unknown` mTLS evidence gets (judge/mtls-words.ts): every branch
// names its cause and what would settle it, says whose attempt it was (the app's, or
// Pinprobe's own probe when a configured certificate was used), and decided verdicts get none.
import { describe, expect, it } from 'vitest';
import { looksCleartextOnly, mtlsUnknownWords, unreachableWords } from '../../proxy/judge/mtls-words.js';
import type { MtlsVerdict } from '../../proxy/judge/report-types.js';
import { SCENARIOS } from '../../proxy/session/events.js';

const unknown = (evidence: string | null, withCert: MtlsVerdict['withCert'] = 'untested'): MtlsVerdict => ({ verdict: 'unknown', evidence, withCert });
const words = (evidence: string | null, withCert: MtlsVerdict['withCert'] = 'untested', hostPort = 'api.example:443') => mtlsUnknownWords(unknown(evidence, withCert), 'api.example', hostPort);

describe('mtlsUnknownWords', () => {
  it('says nothing for a decided verdict', () => {
    expect(mtlsUnknownWords({ verdict: 'enforced', evidence: 'tls-alert:certificate_required', withCert: 'accepted' }, 'a', 'a:443')).toBeNull();
    expect(mtlsUnknownWords({ verdict: 'not-enforced', evidence: 'http-200', withCert: 'untested' }, 'a', 'a:443')).toBeNull();
  });

  it("the app's own request could not connect: the cause, the 502 it got, probe-mtls without the default port", () => {
    expect(words('error:ECONNREFUSED')).toMatch(/^Pinprobe could not reach the backend: the connection to api\.example:443 \(or to where a --map-remote rule sends it\) was refused: .*, so the app got a 502 from Pinprobe .* pinprobe probe-mtls https:\/\/api\.example\/$/);
    expect(words('error:ENOTFOUND')).toContain('the name api.example does not resolve on this computer');
    expect(words('error:EAI_AGAIN')).toContain('no DNS answer for api.example');
    expect(words('error:EHOSTUNREACH')).toContain('no route to api.example');
  });

  it("with a configured certificate in use, a failure is Pinprobe's probe's, and no 502 is claimed for the app", () => {
    for (const withCert of ['accepted', 'rejected'] as const) {
      const w = words('error:ECONNREFUSED', withCert)!;
      expect(w).toMatch(/^Pinprobe's own attempt without a client certificate \(a probe beside the app's requests, which carried the configured one and were (served|refused)\) could not connect/);
      expect(w).not.toContain('502');
    }
    const timeout = words('error:ERR_PINPROBE_TIMEOUT', 'accepted', 'api.example:8443')!;
    expect(timeout).toMatch(/^Pinprobe's own attempt .* did not get through to api\.example:8443 in time \(connecting, the TLS handshake or the HTTP answer\), mTLS is untested; .*holds a connection without a certificate open; pinprobe probe-mtls https:\/\/api\.example:8443\/ tries each TLS version$/);
    expect(timeout).not.toContain('502');
  });

  it('a timeout is not blamed on the network: it may have stalled at any stage', () => {
    const w = words('error:ETIMEDOUT')!;
    expect(w).toMatch(/^the attempt without a client certificate did not get through to api\.example:443 in time \(connecting, the TLS handshake or the HTTP answer\), so the app got a 502 from Pinprobe/);
    expect(w).not.toMatch(/DNS|VPN|firewall/);
  });

  it("Pinprobe's own refusals, and each kind of backend certificate problem with the option that helps", () => {
    expect(words('error:EPINPROBELOCAL')).toContain('--map-remote');
    expect(words('error:EPINPROBELOOP')).toContain("Pinprobe's own listener");
    expect(words('error:UNABLE_TO_VERIFY_LEAF_SIGNATURE')).toBe("Pinprobe does not trust the certificate of api.example:443 (UNABLE_TO_VERIFY_LEAF_SIGNATURE), so it asked nothing: pass the backend's CA with --upstream-ca FILE (or --upstream-insecure)");
    // A CA would not help these.
    expect(words('error:ERR_TLS_CERT_ALTNAME_INVALID')).toMatch(/does not name api\.example \(ERR_TLS_CERT_ALTNAME_INVALID\).*--upstream-insecure/);
    expect(words('error:ERR_TLS_CERT_ALTNAME_INVALID')).not.toContain('--upstream-ca');
    expect(words('error:CERT_HAS_EXPIRED')).toMatch(/has expired \(CERT_HAS_EXPIRED\).*--upstream-insecure/);
    expect(words('error:CERT_NOT_YET_VALID')).toContain('is not valid yet');
  });

  it('a backend that was reached but answered no HTTP, or spoke no TLS there: check the port', () => {
    expect(words('error:HPE_INVALID_CONSTANT')).toMatch(/was reached, but its answer .* was not HTTP \(HPE_INVALID_CONSTANT\): check that the port/);
    expect(words('error:http')).toContain('was not HTTP (http)');
    expect(words('error:ERR_SSL_WRONG_VERSION_NUMBER')).toMatch(/did not speak TLS to .*check that the port is the backend's HTTPS port/);
    // HTTP that Node refuses, and TLS parameters without a match, are no port problem.
    expect(words('error:HPE_HEADER_OVERFLOW')).toMatch(/HTTP that Pinprobe could not read \(HPE_HEADER_OVERFLOW\)/);
    expect(words('error:HPE_HEADER_OVERFLOW')).not.toContain('port');
    expect(words('error:ERR_SSL_UNSUPPORTED_PROTOCOL')).toMatch(/no TLS parameters in common \(ERR_SSL_UNSUPPORTED_PROTOCOL/);
    expect(words('error:ESOMETHING')).toMatch(/failed \(ESOMETHING\) before the backend could refuse or serve it/);
  });

  it('indecisive answers: what to compare with, unless that was done already', () => {
    expect(words('tls-alert:protocol_version')).toContain('tries TLS 1.2 and 1.3');
    expect(words('http-403')).toMatch(/403 without a client certificate, but no request with one .*--client-cert HOST=FILE/);
    expect(words('http-403', 'accepted')).toMatch(/403 with and without the configured client certificate, so this 403 does not show mTLS/);
    expect(words('http-403', 'accepted')).not.toContain('--client-cert HOST=FILE');
    expect(words('tls-alert:handshake_failure', 'rejected')).toMatch(/with and without the configured client certificate at the same TLS version: a cipher or TLS-version mismatch, or a backend that refuses the configured certificate too/);
    expect(words('reset:in-handshake')).toMatch(/ended with reset:in-handshake, which a backend without mTLS can cause too; compare with a certificate/);
    expect(words('reset:in-handshake', 'rejected')).not.toContain('compare with a certificate');
  });

  it('no attempt at all: nothing reached the backend, unless only cleartext was seen or requests were recorded', () => {
    const w = (ctx: Parameters<typeof mtlsUnknownWords>[3], withCert: MtlsVerdict['withCert'] = 'untested') => mtlsUnknownWords(unknown(null, withCert), 'a', 'a:443', ctx);
    expect(w({ requests: 0 })).toMatch(/^no request of the app has reached a:443 through Pinprobe yet .*probe-mtls https:\/\/a\/$/);
    // Requests recorded, none judged: each ended before Pinprobe reached the backend.
    expect(w({ requests: 3 })).toMatch(/no attempt without a client certificate to a:443 recorded in this session to judge from: .*ended before Pinprobe reached the backend/);
    // A withCert result means the app's requests did reach the backend, with the certificate.
    expect(w({}, 'accepted')).toMatch(/^the app's requests reached a:443 with the configured client certificate \(served\), but Pinprobe's own attempt without one is not recorded/);
    expect(w({ requests: 0 }, 'rejected')).toContain('(refused)');
    expect(w({ cleartextOnly: true })).toBe('does not apply: only cleartext HTTP was seen on a:443, so there was no TLS connection to the backend');
    // An attempt that was made is told even on a host that also saw cleartext.
    expect(mtlsUnknownWords(unknown('error:ECONNREFUSED'), 'a', 'a:443', { cleartextOnly: true })).toContain('could not reach');
  });
});

describe('helpers', () => {
  it('unreachableWords knows only reaching-the-host codes', () => {
    expect(unreachableWords('ECONNREFUSED', 'h:1', 'h')).toContain('refused');
    expect(unreachableWords('ECONNRESET', 'h:1', 'h')).toBeNull();
    expect(unreachableWords('ETIMEDOUT', 'h:1', 'h')).toBeNull();
  });
  it('looksCleartextOnly: cleartext and no scenario with any result', () => {
    const client = Object.fromEntries(SCENARIOS.map((s) => [s, { result: 'untested' }])) as never;
    expect(looksCleartextOnly({ cleartext: true, client })).toBe(true);
    expect(looksCleartextOnly({ cleartext: false, client })).toBe(false);
    const seen = Object.fromEntries(SCENARIOS.map((s) => [s, { result: s === 'trusted' ? 'accepted' : 'untested' }])) as never;
    expect(looksCleartextOnly({ cleartext: true, client: seen })).toBe(false);
  });
});
