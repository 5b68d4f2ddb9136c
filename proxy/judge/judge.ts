// Recorded events -> the `pinprobe.report/1` verdicts. Pure and linear in the number of
// events, so the live engine can re-judge on every change and a reopened file gives the
// very same answer.
import type { ClientTlsEvent, RequestEvent, SessionEvent, SessionHeader, SessionLine, UpstreamEvent } from '../session/events.js';
import { BAD_SCENARIOS, byScenario, judgeClient, judgeValidation } from './client.js';
import { DeviceTrust } from './device-trust.js';
import { lateRefusal } from './late-refusal.js';
import { findingsFor } from './findings.js';
import { compareHosts } from './host-order.js';
import { groupByHost } from './group.js';
import type { HostEvents } from './group.js';
import { matchesHostGlob } from '../host-glob.js';
import { hostPort } from '../net/authority.js';
import { mapRulesSeen, sessionAdvice, type RecordedMapRule } from './advice.js';
import { acceptsAnyClientCert, judgeMtls, mtlsFindings } from './mtls.js';
import { judgePinning, type TrustedElsewhere } from './pinning.js';
import { answersOf, judgeBackendActive, type Answers } from './backend-active.js';
import { passiveBackendFindings } from './backend-passive.js';
import { REPORT_SCHEMA } from './report-types.js';
import type { Finding, HostVerdict, Report } from './report-types.js';

export interface JudgeOptions {
  /** The session file's path as the report should name it. */
  file: string;
}

export interface SessionContent {
  header: SessionHeader | null;
  events: readonly SessionEvent[];
}

/** Accepts either raw lines (header first, as the engine keeps them) or a read session. */
export function splitLines(lines: readonly SessionLine[] | SessionContent): SessionContent {
  if (!Array.isArray(lines)) return lines as SessionContent;
  let header: SessionHeader | null = null;
  const events: SessionEvent[] = [];
  for (const line of lines as readonly SessionLine[]) {
    if (line.type === 'session') header ??= line;
    else events.push(line);
  }
  return { header, events };
}

/** Display form of a host: IPv6 addresses are bracketed, as in a URL. */
export function formatHostPort(host: string, port: number): string {
  return hostPort(host, port);
}

/** `address|ja4` -> hosts (display) where that TLS client accepted the trusted certificate. */
export type TrustedIndex = Map<string, Map<string | null, string[]>>;

/** Hosts in first-seen order, each with its TLS outcomes in recorded order. */
export function trustedAcceptances(hosts: Iterable<{ host: string; port: number; tls: readonly ClientTlsEvent[] }>): TrustedIndex {
  const byAddress: TrustedIndex = new Map();
  for (const host of hosts) {
    const name = formatHostPort(host.host, host.port);
    for (const event of host.tls) {
      if (event.scenario !== 'trusted' || event.result !== 'accepted') continue;
      const ja4 = typeof event.fingerprint?.ja4 === 'string' ? event.fingerprint.ja4 : null;
      let byJa4 = byAddress.get(event.clientAddress);
      if (!byJa4) byAddress.set(event.clientAddress, (byJa4 = new Map()));
      const list = byJa4.get(ja4) ?? [];
      if (!list.includes(name)) list.push(name);
      byJa4.set(ja4, list);
    }
  }
  return byAddress;
}

function elsewhere(index: TrustedIndex, self: string, address: string, ja4: string | null): TrustedElsewhere {
  const sameClient: string[] = [];
  const otherClients: Array<{ ja4: string | null; hosts: string[] }> = [];
  for (const [key, hosts] of index.get(address) ?? []) {
    const others = hosts.filter((h) => h !== self);
    if (others.length === 0) continue;
    // A line without a fingerprint (an older file) cannot be told apart: same client.
    if (key === ja4 || key === null || ja4 === null) sameClient.push(...others);
    else otherClients.push({ ja4: key, hosts: others });
  }
  return { sameClient, otherClients };
}

function fingerprintsOf(events: readonly ClientTlsEvent[]): string[] {
  const seen: string[] = [];
  for (const e of events) {
    const ja4 = e.fingerprint?.ja4;
    if (typeof ja4 === 'string' && !seen.includes(ja4)) seen.push(ja4);
  }
  return seen;
}

/**
 * What the per-host verdict is made from: the host's TLS outcomes and upstream attempts as
 * recorded, and the rest as counts and findings. The whole-session judge takes these from
 * the grouped events (factsOf); the live verdicts (live.ts) keep them up to date event by
 * event, so both give the very same verdict.
 */
export interface HostFacts {
  host: string;
  port: number;
  tls: readonly ClientTlsEvent[];
  upstream: readonly UpstreamEvent[];
  passthroughs: number;
  tunnels: number;
  intercepts: number;
  requests: number;
  /** requests with scheme http */
  cleartextRequests: number;
  /** passiveBackendFindings over the host's requests */
  passive: Finding[];
  /** the host's check-auth requests (`check`), in order */
  checks: readonly RequestEvent[];
  lateRefusal: boolean;
}

export function factsOf(host: HostEvents): HostFacts {
  return {
    host: host.host,
    port: host.port,
    tls: host.tls,
    upstream: host.upstream,
    passthroughs: host.passthrough.length,
    tunnels: host.tunnels.length,
    intercepts: host.intercepts.length,
    requests: host.requests.length,
    cleartextRequests: host.requests.filter((r) => r.scheme === 'http').length,
    passive: passiveBackendFindings(host.requests),
    checks: host.requests.filter((r) => r.check),
    lateRefusal: lateRefusal(host),
  };
}

export function judgeHost(host: HostFacts, header: SessionHeader | null, trustedBy: TrustedIndex, devices: DeviceTrust, answers: Answers, expectMtls: readonly string[]): HostVerdict {
  const split = byScenario(host.tls);
  const client = judgeClient(split);
  const self = formatHostPort(host.host, host.port);
  const trusted: readonly ClientTlsEvent[] = split.trusted;
  const { pinning, reason, evidence } = judgePinning({
    client,
    trusted,
    bad: BAD_SCENARIOS.flatMap((s) => split[s]),
    trustedElsewhere: (address, ja4) => elsewhere(trustedBy, self, address, ja4),
    deviceTrust: (address) => devices.covering(address),
    forcedScenario: header?.options?.scenario ?? null,
    rotation: (header?.options?.scenario ?? null) === null && header?.options?.autoPassthrough !== false,
    onlyTunnelled: host.tls.length === 0 && host.intercepts === 0 && (host.tunnels > 0 || host.passthroughs > 0),
    onlyCleartext: host.tls.length === 0 && host.intercepts === 0 && host.requests > 0 && host.cleartextRequests === host.requests,
  });
  const validation = judgeValidation(client);
  const cleartext = host.cleartextRequests > 0;
  const mtls = judgeMtls(host.upstream);
  const mtlsExpected = matchesHostGlob(expectMtls, host.host, host.port);
  const mappedTo = mappedTargets(host.upstream);
  // A mapped host's mTLS findings are about the server it was sent to: their titles say so.
  const mtlsSubject = mappedTo.length > 0 ? `${self} (sent to ${mappedTo.join(', ')} by --map-remote)` : self;
  const mtlsNotes = mtlsFindings(mtlsSubject, mtls, { expectMtls: mtlsExpected, acceptsAnyCert: acceptsAnyClientCert(host.upstream) });
  const active = judgeBackendActive(host.checks, answers);
  const backendNotes = [...host.passive, ...active.findings];
  const verdict: HostVerdict = {
    host: host.host,
    port: host.port,
    client,
    pinning,
    pinningReason: reason,
    pinningEvidence: evidence,
    fingerprints: fingerprintsOf(host.tls),
    validation,
    cleartext,
    mtls,
    backend: active.backend,
    findings: findingsFor({ client, pinning, cleartext, mtlsFindings: [...mtlsNotes, ...backendNotes], lateRefusal: host.lateRefusal }),
  };
  if (host.passthroughs > 0) verdict.passthrough = true;
  if (mappedTo.length > 0) verdict.mappedTo = mappedTo;
  return verdict;
}

/** The --map-remote targets the host's backend connections went to, first seen first. */
function mappedTargets(upstream: readonly UpstreamEvent[]): string[] {
  const seen: string[] = [];
  for (const u of upstream) if (typeof u.mappedTo === 'string' && !seen.includes(u.mappedTo)) seen.push(u.mappedTo);
  return seen;
}

export { compareHosts };

/** The --map-remote rules in effect at any point of the session (header, then `settings` lines). */
function mapRulesOf(header: SessionHeader | null, events: readonly SessionEvent[]): RecordedMapRule[] {
  const seen: RecordedMapRule[] = [];
  mapRulesSeen(seen, header?.options?.mapRemote);
  for (const e of events) if (e.type === 'settings') mapRulesSeen(seen, e.options.mapRemote);
  return seen;
}

/** --expect-mtls as the header set it, replaced by the last `settings` line that changed it (the UI). */
export function effectiveExpectMtls(header: SessionHeader | null, events: readonly SessionEvent[]): readonly string[] {
  let value: readonly string[] = header?.options?.expectMtls ?? [];
  for (const e of events) if (e.type === 'settings' && Array.isArray(e.options.expectMtls)) value = e.options.expectMtls;
  return value;
}

export function judge(lines: readonly SessionLine[] | SessionContent, opts: JudgeOptions): Report {
  const { header, events } = splitLines(lines);
  const grouped = groupByHost(events, header);
  const trustedBy = trustedAcceptances(grouped.values());
  const devices = DeviceTrust.fromEvents(events);
  const answers = answersOf(events);
  const hosts: HostVerdict[] = [];
  const expectMtls = effectiveExpectMtls(header, events);
  for (const host of grouped.values()) hosts.push(judgeHost(factsOf(host), header, trustedBy, devices, answers, expectMtls));
  hosts.sort(compareHosts);

  let ended: string | null = null;
  let connections = 0;
  for (const event of events) {
    if (event.type === 'connection') connections += 1;
    else if (event.type === 'session-end') ended = event.time;
  }
  return {
    schema: REPORT_SCHEMA,
    session: { file: opts.file, started: header?.time ?? null, ended, connections },
    hosts,
    advice: sessionAdvice(hosts, mapRulesOf(header, events)),
  };
}
