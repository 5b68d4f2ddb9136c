// --passthrough GLOB: hosts that are tunnelled untouched, never intercepted.
import type { ConnectTarget, TunnelReason } from '../engine-bus.js';
import { hostGlobMatch } from '../net/client-certs.js';

export function passthroughRule(globs: () => readonly string[]): (target: ConnectTarget) => TunnelReason | null {
  return (target) => (globs().some((g) => hostGlobMatch(g, target.host)) ? 'rule' : null);
}
