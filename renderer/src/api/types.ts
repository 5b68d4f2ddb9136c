// Shapes the UI receives. Type-only imports from the engine: erased at build time, so
// no engine code reaches the bundle.
export type { Report, HostVerdict, ScenarioVerdict, Finding, Severity, Pinning, Validation, MtlsVerdict } from '../../../proxy/judge/report-types.js';
export type {
  SessionLine, SessionEvent, ConnectionEvent, ClientTlsEvent, RequestEvent, ResponseEvent, UpstreamEvent, BodyRecord, Scenario, WebSocketEvent,
  WebSocketMessageEvent,
} from '../../../proxy/session/events.js';
export type { EngineSettings, EngineStatus, ClientCertSetting, MapRemoteRule } from '../../../proxy/api/engine-port.js';
export type { LiveMessage, OnboardingInfo, ViewInfo, StatusResponse, EventsResponse, CaDownload, SessionSummary, DiffResponse } from '../../../proxy/api/protocol.js';
export type { SessionDiff, HostDiff, DiffChange } from '../../../proxy/report/diff-types.js';

// The values taken from the engine: its severity order and its host order (report-types.ts
// and host-order.ts have no runtime imports beyond each other, so only these reach the
// bundle), so the UI ranks findings and lists hosts as the judge does.
export { SEVERITIES } from '../../../proxy/judge/report-types.js';
export { compareHosts } from '../../../proxy/judge/host-order.js';

/** Same order as the engine's SCENARIOS. */
export const SCENARIO_LIST = ['trusted', 'self-signed', 'wrong-host', 'expired', 'untrusted-root'] as const;
