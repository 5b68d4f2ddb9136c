// The judge's public surface: one import for the CLI, the control API and the UI.
export { judge, splitLines, formatHostPort, compareHosts } from './judge.js';
export type { JudgeOptions, SessionContent } from './judge.js';
export { groupByHost, hostKey, isOnboardingExchange } from './group.js';
export type { HostEvents } from './group.js';
export { checkOfFinding, severityRank, worstSeverity, CHECKS } from './findings.js';
export type { Check } from './findings.js';
export { BAD_SCENARIOS } from './client.js';
export { matchesHostGlob } from '../host-glob.js';
