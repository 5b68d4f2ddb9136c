// What the phone reads in the 502 when the backend gave no HTTP answer: which host, what
// happened and what to do, naming both the app's Controls and the CLI flag.
import { CLIENT_CERT_ALERTS } from '../observe/tls-alerts.js';
import { isUntrustedUpstream, type UpstreamClassification } from '../observe/upstream-failure.js';

/**
 * Body of the 502 the phone gets when the backend gave no HTTP answer. `clientCert`: whether
 * Pinprobe presented a certificate on that attempt (changes what to tell the tester).
 */
export function upstreamFailureMessage(host: string, c: UpstreamClassification, opts: { clientCert?: boolean } = {}): string {
  // Read on a phone, in curl or in the UI's Traffic view, by someone who set Pinprobe up
  // either in the UI or on the command line: name both places.
  const hint = opts.clientCert
    ? 'check the client certificate configured for this host (Controls → Client certificates (mTLS) in the app, or --client-cert)'
    : 'add a client certificate for this host (Controls → Client certificates (mTLS) in the app, or --client-cert on the command line)';
  if (c.outcome === 'tls-alert' && c.alert && CLIENT_CERT_ALERTS.has(c.alert)) {
    const what = opts.clientCert ? 'rejected the client certificate Pinprobe presented' : 'demanded a client certificate';
    return `Pinprobe: ${host} ${what} (TLS alert ${c.alert}) — ${hint}`;
  }
  if (c.outcome === 'tls-alert') return `Pinprobe: ${host} ended the TLS connection with alert ${c.alert ?? c.alertCode ?? 'unknown'} (${c.stage})`;
  if (c.outcome === 'reset' && c.stage === 'after-handshake') {
    const why = opts.clientCert ? 'it may have refused the client certificate Pinprobe presented' : 'it may demand a client certificate';
    return `Pinprobe: ${host} closed the connection right after the TLS handshake — ${why}; ${hint}`;
  }
  if (c.outcome === 'reset') return `Pinprobe: ${host} closed the connection ${c.stage === 'handshake' ? 'during the TLS handshake' : 'before answering'} (${c.error ?? 'reset'})`;
  if (isUntrustedUpstream(c)) {
    return `Pinprobe: the certificate of ${host} is not trusted (${c.error}) — add its CA under Controls → Upstream trust in the app, or pass --upstream-ca FILE (or --upstream-insecure)`;
  }
  if (c.stage === 'connect') return `Pinprobe: could not connect to ${host} (${c.error ?? 'error'})`;
  return `Pinprobe: ${host} failed (${c.error ?? c.outcome})`;
}
