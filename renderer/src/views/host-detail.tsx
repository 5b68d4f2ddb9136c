// One host's evidence: every intercepted connection (scenario, outcome, stage, alert,
// timing), the upstream attempts behind the mTLS verdict, findings, and what is still
// untested with what to do about it.
import { useMemo } from 'react';
import type { EngineSettings, HostVerdict, SessionLine } from '../api/types';
import { MtlsBadge, PinningBadge, SeverityBadge, ValidationBadge } from '../components/badges';
import { ScenarioStrip } from '../components/scenario-strip';
import { formatClock, formatMs, hostPort } from '../lib/format';
import { checkSeverity, evidenceFor, untestedScenarios } from '../model/hosts';
import { tlsStackOf } from '../../../proxy/judge/tls-stacks';
import { mtlsUnknownWords } from '../../../proxy/judge/mtls-words';
import { BackendSection } from './backend-section';

export interface HostDetailProps {
  host: HostVerdict;
  lines: readonly SessionLine[];
  version: number;
  settings: EngineSettings | null;
}

function nextSteps(host: HostVerdict, settings: EngineSettings | null, tlsCount: number, requests: number, cleartextRequests: number): string[] {
  const steps: string[] = [];
  const untested = untestedScenarios(host);
  if (tlsCount === 0 && requests > 0 && cleartextRequests === requests) {
    // No TLS at all on this host:port: more connections would show no certificate either.
    steps.push(
      `Only cleartext HTTP was seen on ${hostPort(host.host, host.port)}, so there is no certificate to test and no mTLS to check here. ` +
        'The finding is the cleartext itself: the app should use https:// for this host (and Android\'s cleartextTrafficPermitted / iOS ATS should forbid http).',
    );
    return steps;
  }
  if (host.passthrough) {
    steps.push('Pinprobe now tunnels this host untouched because the app refused the trusted certificate, so the app keeps working. Start a new session to test it again.');
  } else if (untested.length > 0) {
    if (settings?.scenario) {
      steps.push(`A forced scenario (${settings.scenario}) is set, so the others are never shown. Switch to audit rotation in Controls to test ${untested.join(', ')}.`);
    } else {
      steps.push(
        `Still untested: ${untested.join(', ')}. Audit rotation shows each new connection the next scenario — open the app's screens that talk to this host again (or force-stop and reopen the app) so it makes ${untested.length} more connection${untested.length > 1 ? 's' : ''}.`,
      );
    }
  }
  if (host.pinning === 'inconclusive' || host.pinning === 'likely-pinned') {
    steps.push(
      'If this is Android 7 or later, apps ignore user-installed CAs: install the Pinprobe CA in the system store, then mark the device in Setup → Devices ("has Pinprobe\'s CA in its system store") so a refusal counts as pinning.',
    );
  }
  const mtlsWords = tlsCount > 0 ? mtlsUnknownWords(host.mtls, host.host, hostPort(host.host, host.port), { requests }) : null;
  // No full stop: the sentence often ends with a command to copy.
  if (mtlsWords !== null) steps.push(`mTLS is unknown: ${mtlsWords}`);
  return steps;
}

export function HostDetail({ host, lines, version, settings }: HostDetailProps) {
  // `version` changes when lines arrive; the array itself is appended in place.
  const evidence = useMemo(() => evidenceFor(lines, host), [lines, host, version]);
  const steps = nextSteps(host, settings, evidence.tls.length, evidence.requests, evidence.cleartextRequests);
  const clients = [...new Set(evidence.tls.map((t) => t.clientAddress))];
  const oneClient = clients.length === 1 ? clients[0] : null;
  return (
    <article className="detail" aria-labelledby="host-detail-title">
      <header className="detail-head">
        <h2 id="host-detail-title">{hostPort(host.host, host.port)}</h2>
        <div className="badges">
          <PinningBadge value={host.pinning} evidence={host.pinningEvidence} severity={checkSeverity(host, 'pinning')} />
          <MtlsBadge mtls={host.mtls} severity={checkSeverity(host, 'mtls')} />
          {host.cleartext ? <span className="badge tone-bad">Cleartext HTTP</span> : null}
        </div>
      </header>

      <section>
        <h3>Verdict</h3>
        <dl className="facts">
          <dt>Pinning</dt>
          <dd>
            <PinningBadge value={host.pinning} evidence={host.pinningEvidence} severity={checkSeverity(host, 'pinning')} /> <span className="reason">{host.pinningReason}</span>
          </dd>
          <dt>Validation</dt>
          <dd>
            <ValidationBadge value={host.validation} severity={checkSeverity(host, 'validation')} /> <ScenarioStrip client={host.client} />
          </dd>
          <dt>mTLS</dt>
          <dd>
            <MtlsBadge mtls={host.mtls} severity={checkSeverity(host, 'mtls')} /> {host.mtls.evidence ? <code>{host.mtls.evidence}</code> : null}
            {host.mtls.withCert !== 'untested' ? <span> · with a client certificate: {host.mtls.withCert}</span> : null}
          </dd>
          {host.mappedTo?.length ? (
            <>
              <dt>Sent to</dt>
              <dd>
                <code>{host.mappedTo.join(', ')}</code>
                <span className="reason">by --map-remote: the mTLS verdict and what the answers carried are that server&apos;s, not the real backend&apos;s</span>
              </dd>
            </>
          ) : null}
          <dt>Requests</dt>
          <dd>
            {evidence.requests} recorded{evidence.cleartextRequests ? `, ${evidence.cleartextRequests} over cleartext http://` : ''}
          </dd>
        </dl>
      </section>

      {host.findings.length > 0 ? (
        <section>
          <h3>Findings ({host.findings.length})</h3>
          <ul className="findings">
            {host.findings.map((f) => (
              <li key={f.id}>
                <SeverityBadge severity={f.severity} /> <span className="finding-title">{f.title}</span>{' '}
                <span className="muted">
                  {f.masvs}
                  {f.mastg ? ` · ${f.mastg}` : ''}
                </span>
                {f.evidence ? <div className="muted finding-evidence"><code>{f.evidence}</code></div> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <BackendSection host={host} />

      {steps.length > 0 ? (
        <section>
          <h3>What to do next</h3>
          <ul className="steps">
            {steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </section>
      ) : null}

      <section>
        <h3>
          Connections ({evidence.tls.length}){oneClient ? ` from ${oneClient}` : ''}
        </h3>
        {evidence.tls.length === 0 ? (
          <p className="muted">No intercepted TLS connection to this host yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="evidence">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Scenario</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">How</th>
                  <th scope="col">Timing</th>
                  <th scope="col">TLS client</th>
                  {oneClient ? null : <th scope="col">Client</th>}
                </tr>
              </thead>
              <tbody>
                {evidence.tls.map((t) => (
                  <tr key={t.id}>
                    <td>{formatClock(t.time)}</td>
                    <td>{t.scenario}</td>
                    <td className={`outcome-${t.scenario === 'trusted' ? 'trusted' : 'bad'}-${t.result}`}>{t.result}</td>
                    <td className="wrap">{t.stage ? [t.stage === 'handshake' ? 'in handshake' : 'after handshake', t.alert].filter(Boolean).join(' · ') : '—'}</td>
                    <td title={t.detail ?? undefined}>
                      {t.result === 'accepted' ? `data ${formatMs(t.timings.firstByteMs)}` : t.result === 'rejected' ? `closed ${formatMs(t.timings.closeMs)}` : `idle ${formatMs(t.timings.windowMs)}`}
                    </td>
                    <td className="wrap" title={t.fingerprint?.ja3 ? `JA3 ${t.fingerprint.ja3}` : undefined}>
                      {t.fingerprint?.ja4 ? (
                        <>
                          {tlsStackOf(t.fingerprint.ja4)} <code>{t.fingerprint.ja4}</code>
                        </>
                      ) : '—'}
                    </td>
                    {oneClient ? null : <td>{t.clientAddress}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {evidence.upstream.length > 0 ? (
        <section>
          <h3>Upstream attempts ({evidence.upstream.length})</h3>
          <div className="table-wrap">
            <table className="evidence">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Client cert</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Alert / status</th>
                </tr>
              </thead>
              <tbody>
                {evidence.upstream.map((u) => (
                  <tr key={u.id}>
                    <td>{formatClock(u.time)}</td>
                    <td>{u.clientCert ? u.clientCert.subject : u.probe ? 'none (probe)' : 'none'}</td>
                    <td>{u.outcome}</td>
                    <td>{u.stage}</td>
                    <td>{u.alert ?? (u.httpStatus !== null ? `HTTP ${u.httpStatus}${u.certComplaint ? ' (names the certificate)' : ''}` : u.error ?? '—')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </article>
  );
}
