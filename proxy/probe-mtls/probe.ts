// `pinprobe probe-mtls URL`: an active mTLS check from the laptop, no phone and no proxy.
// Over TLS 1.2 and TLS 1.3 it connects with no certificate, with an untrusted self-signed
// one and (if given) with the configured one, asks `GET path`, and judges the attempts
// with the same rules as recorded sessions (proxy/judge/mtls.ts). See docs/mtls.md.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { acceptsAnyClientCert, attemptEvidence, judgeMtls, mtlsFindings, type AttemptCert, type MtlsAttempt } from '../judge/mtls.js';
import type { Finding, MtlsVerdict } from '../judge/report-types.js';
import { formatHostPort } from '../judge/judge.js';
import { unreachableWords } from '../judge/mtls-words.js';
import { isUntrustedUpstream } from '../observe/upstream-failure.js';
import { hostGlobMatch, loadClientCert, parseClientCertSpec, type LoadedClientCert } from '../net/client-certs.js';
import { runMtlsAttempt, type AttemptResult, type TlsVersionName } from '../net/mtls-attempt.js';

export const PROBE_SCHEMA = 'pinprobe.probe-mtls/1';
export const TLS_VERSIONS: readonly TlsVersionName[] = ['TLSv1.2', 'TLSv1.3'];

export interface ProbeOptions {
  clientCert?: LoadedClientCert;
  /** Extra trusted CAs for the backend (PEM text), added to Node's root store. */
  upstreamCa?: string[];
  insecure?: boolean;
  /** Per attempt. */
  timeoutMs?: number;
}

export interface ProbeAttempt extends AttemptResult {
  /** The version this attempt was limited to (the negotiated one is tlsVersion). */
  requestedVersion: TlsVersionName;
  cert: AttemptCert;
  certSubject: string | null;
  evidence: string;
}

export interface ProbeResult {
  schema: typeof PROBE_SCHEMA;
  url: string;
  host: string;
  port: number;
  attempts: ProbeAttempt[];
  verdict: MtlsVerdict['verdict'];
  evidence: string | null;
  withCert: MtlsVerdict['withCert'];
  /** Critical: refused without a certificate, served with an untrusted self-signed one. */
  acceptsAnyCert: boolean;
  /** False when no attempt got past connecting (refused, DNS, timeout). */
  reachable: boolean;
  /**
   * Set when some attempt stopped because Pinprobe did not trust the backend's certificate:
   * those attempts tell nothing, so the probe is incomplete (exit 3).
   */
  untrustedUpstream: string | null;
  findings: Finding[];
}

export interface ProbeTarget {
  host: string;
  port: number;
  path: string;
}

/** Throws a one-line, user-facing Error for anything but an https URL. */
export function parseProbeUrl(url: string): ProbeTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`probe-mtls: "${url}" is not a URL (expected https://HOST[:PORT]/PATH)`);
  }
  if (parsed.protocol !== 'https:') throw new Error(`probe-mtls: ${url} is not an https:// URL — mTLS needs TLS`);
  if (!parsed.hostname) throw new Error(`probe-mtls: ${url} has no host`);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : 443,
    path: `${parsed.pathname || '/'}${parsed.search}`,
  };
}

function asUpstreamEvent(target: ProbeTarget, a: ProbeAttempt, index: number): MtlsAttempt {
  return {
    type: 'upstream',
    time: new Date(0).toISOString(),
    id: `probe-${index}`,
    request: null,
    host: target.host,
    port: target.port,
    probe: true,
    clientCert: a.cert === 'none' ? null : { subject: a.certSubject ?? '', kind: a.cert },
    // The requested version, so "same failure at the same version" compares like with like.
    tlsVersion: a.requestedVersion,
    outcome: a.outcome,
    stage: a.stage,
    alert: a.alert,
    alertCode: a.alertCode,
    httpStatus: a.httpStatus,
    certComplaint: a.certComplaint,
    complaint: a.complaint,
    error: a.error,
  };
}

export async function probeMtls(url: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const target = parseProbeUrl(url);
  // Loaded on demand: it imports node-forge (~10 MiB of RSS), which the proxy never needs until a probe runs.
  const { selfSignedClientCert } = await import('../net/mtls-self-signed.js');
  const selfSigned = await selfSignedClientCert();
  const certs: Array<{ kind: AttemptCert; cert: LoadedClientCert | null }> = [
    { kind: 'none', cert: null },
    { kind: 'self-signed', cert: selfSigned },
    ...(opts.clientCert ? [{ kind: 'configured' as const, cert: opts.clientCert }] : []),
  ];
  const ca = opts.upstreamCa?.length ? [...tls.rootCertificates, ...opts.upstreamCa] : undefined;
  const attempts: ProbeAttempt[] = [];
  // One at a time: a backend that rate-limits handshakes should not skew the answers.
  for (const version of TLS_VERSIONS) {
    for (const { kind, cert } of certs) {
      const result = await runMtlsAttempt(target, { tlsVersion: version, cert: cert?.tlsOptions, ca, insecure: opts.insecure, timeoutMs: opts.timeoutMs });
      const attempt: ProbeAttempt = { ...result, requestedVersion: version, cert: kind, certSubject: cert?.subject ?? null, evidence: '' };
      attempts.push(attempt);
    }
  }
  const events = attempts.map((a, i) => asUpstreamEvent(target, a, i));
  attempts.forEach((a, i) => (a.evidence = attemptEvidence(events[i])));
  const verdict = judgeMtls(events);
  const acceptsAnyCert = acceptsAnyClientCert(events);
  // As the session report names hosts: an IPv6 address in brackets.
  const hostPort = formatHostPort(target.host, target.port);
  return {
    schema: PROBE_SCHEMA,
    url,
    host: target.host,
    port: target.port,
    attempts,
    verdict: verdict.verdict,
    evidence: verdict.evidence,
    withCert: verdict.withCert,
    acceptsAnyCert,
    reachable: attempts.some((a) => a.outcome !== 'error' || a.stage !== 'connect'),
    untrustedUpstream: attempts.find(isUntrustedUpstream)?.error ?? null,
    findings: mtlsFindings(hostPort, verdict, { expectMtls: false, acceptsAnyCert }),
  };
}

const CERT_LABEL: Record<AttemptCert, string> = { none: 'no certificate', 'self-signed': 'untrusted self-signed', configured: 'configured' };

function stageNote(a: ProbeAttempt): string {
  if (a.alert === 'protocol_version') return ' — the server does not speak this TLS version';
  if (a.outcome === 'tls-alert') return a.stage === 'handshake' ? ' (in the handshake)' : ' (after the handshake, on the first read)';
  if (a.outcome === 'error') {
    // The evidence names the code already (error:CODE): add only what the message says beyond it.
    const rest = (a.error ?? '').replace(/^[A-Z0-9_]+(?::\s*|$)/, '');
    return rest ? ` — ${rest}` : '';
  }
  if (a.outcome === 'answered' && a.statusText) return ` ${a.statusText}`;
  return '';
}

/** The human form: one line per attempt, then the verdict and any critical finding. */
export function renderProbeText(result: ProbeResult): string {
  const lines = [`probe-mtls ${result.url}`];
  const who = (a: ProbeAttempt) => (a.cert === 'configured' && a.certSubject ? `configured (${a.certSubject})` : CERT_LABEL[a.cert]);
  const width = Math.max(...result.attempts.map((a) => who(a).length));
  for (const a of result.attempts) {
    lines.push(`  ${a.requestedVersion.replace('TLSv', 'TLS ')}  ${who(a).padEnd(width)}  ${a.evidence}${stageNote(a)}`);
  }
  lines.push(`mTLS: ${result.verdict}${result.evidence ? ` (${result.evidence})` : ''}`);
  lines.push(`with the configured certificate: ${result.withCert === 'untested' ? 'untested (no --client-cert)' : result.withCert}`);
  if (result.acceptsAnyCert) {
    lines.push('CRITICAL: accepts any client certificate — an untrusted self-signed certificate was served while no certificate was refused');
  }
  if (!result.reachable) {
    const hostPort = formatHostPort(result.host, result.port);
    const code = /^[A-Z0-9_]+/.exec(result.attempts[0]?.error ?? '')?.[0];
    const words = code === undefined ? null : unreachableWords(code, hostPort, result.host);
    lines.push(words === null ? `could not reach ${hostPort}: ${result.attempts[0]?.error ?? 'no attempt completed'}` : `could not reach ${hostPort} (${code}): ${words}`);
  } else if (result.untrustedUpstream) {
    lines.push(`incomplete: the certificate of ${formatHostPort(result.host, result.port)} is not trusted (${result.untrustedUpstream}) — pass its CA with --upstream-ca FILE`);
  }
  return `${lines.join('\n')}\n`;
}

/** The JSON form (schema pinprobe.probe-mtls/1); body starts are left out, they can be large. */
export function probeResultJson(result: ProbeResult): ProbeResult {
  return { ...result, attempts: result.attempts.map((a) => ({ ...a, bodyStart: a.bodyStart === null ? null : a.bodyStart.slice(0, 200) })) };
}

export interface ProbeMtlsArgs {
  url: string;
  /** The --client-cert value; HOST= may be left out (it is then the URL's host). */
  clientCert?: string;
  /** --upstream-ca file paths. */
  upstreamCa?: string[];
  insecure?: boolean;
  format: 'text' | 'json';
  timeoutMs?: number;
}

/** Exit codes: 0 probed, 1 critical finding (accepts any client certificate), 3 unreachable or backend certificate untrusted. */
export const PROBE_EXIT = { ok: 0, critical: 1, unreachable: 3 } as const;

function readCa(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`--upstream-ca ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--upstream-ca ${path}: no PEM certificate in the file`);
  return text;
}

/**
 * What `pinprobe probe-mtls` runs. Bad input (URL, files, format) throws an Error whose
 * message is the one line to print (the CLI exits 2 for those, as for every bad option).
 */
export async function runProbeMtlsCommand(args: ProbeMtlsArgs, out: NodeJS.WritableStream): Promise<number> {
  if (args.format !== 'text' && args.format !== 'json') throw new Error(`--format ${String(args.format)}: expected text or json`);
  const target = parseProbeUrl(args.url);
  const upstreamCa = (args.upstreamCa ?? []).map(readCa);
  let clientCert: LoadedClientCert | undefined;
  if (args.clientCert !== undefined) {
    const raw = args.clientCert.includes('=') ? args.clientCert : `${target.host}=${args.clientCert}`;
    const spec = parseClientCertSpec(raw);
    if (!hostGlobMatch(spec.hostGlob, target.host, target.port)) {
      throw new Error(`--client-cert ${raw}: "${spec.hostGlob}" does not match ${target.host}; use ${target.host}=… or leave HOST= out`);
    }
    clientCert = await loadClientCert(spec);
  }
  const result = await probeMtls(args.url, { clientCert, upstreamCa, insecure: args.insecure, timeoutMs: args.timeoutMs });
  out.write(args.format === 'json' ? `${JSON.stringify(probeResultJson(result), null, 2)}\n` : renderProbeText(result));
  if (!result.reachable || result.untrustedUpstream) return PROBE_EXIT.unreachable;
  return result.acceptsAnyCert ? PROBE_EXIT.critical : PROBE_EXIT.ok;
}
