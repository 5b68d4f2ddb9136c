// The report as SPEC's `pinprobe.report/1` JSON. Fields are copied one by one, in SPEC
// order, so nothing a caller attached to the objects leaks into a file CI tools parse.
import { SCENARIOS } from '../session/events.js';
import type { Scenario } from '../session/events.js';
import type { BackendVerdict, Finding, HostVerdict, Report, ScenarioVerdict } from '../judge/report-types.js';
import { backendOf } from './backend-parts.js';

function scenarioJson(v: ScenarioVerdict): ScenarioVerdict {
  return { result: v.result, stage: v.stage, alert: v.alert, connections: v.connections };
}

function findingJson(f: Finding): Finding {
  const out: Finding = { id: f.id, severity: f.severity, title: f.title, masvs: f.masvs };
  if (f.mastg !== undefined) out.mastg = f.mastg;
  if (f.evidence !== undefined) out.evidence = f.evidence;
  return out;
}

function backendJson(b: BackendVerdict): BackendVerdict {
  return { auth: b.auth.map((a) => ({ method: a.method, path: a.path, result: a.result, status: a.status })), rateLimit: b.rateLimit };
}

function hostJson(h: HostVerdict): HostVerdict {
  const client = {} as Record<Scenario, ScenarioVerdict>;
  for (const s of SCENARIOS) client[s] = scenarioJson(h.client[s]);
  const out: HostVerdict = {
    host: h.host,
    port: h.port,
    client,
    pinning: h.pinning,
    pinningReason: h.pinningReason,
    pinningEvidence: h.pinningEvidence ?? null,
    fingerprints: [...(h.fingerprints ?? [])],
    validation: h.validation,
    cleartext: h.cleartext,
    mtls: { verdict: h.mtls.verdict, evidence: h.mtls.evidence, withCert: h.mtls.withCert },
    backend: backendJson(backendOf(h)),
    findings: h.findings.map(findingJson),
  };
  if (h.passthrough === true) out.passthrough = true;
  if (h.mappedTo !== undefined && h.mappedTo.length > 0) out.mappedTo = [...h.mappedTo];
  return out;
}

/** The report as canonical SPEC-shaped data (what `renderJson` prints). */
export function reportJson(report: Report): Report {
  return {
    schema: report.schema,
    session: {
      file: report.session.file,
      started: report.session.started,
      ended: report.session.ended,
      connections: report.session.connections,
    },
    hosts: report.hosts.map(hostJson),
  };
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(reportJson(report), null, 2)}\n`;
}
