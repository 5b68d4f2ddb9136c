// --passthrough GLOB: hosts that are tunnelled untouched, never intercepted.
import type { ConnectTarget, TunnelReason } from '../engine-bus.js';
import { hostGlobMatch } from '../host-glob.js';

export function passthroughRule(globs: () => readonly string[]): (target: ConnectTarget) => TunnelReason | null {
  return (target) => (globs().some((g) => hostGlobMatch(g, target.host, target.port)) ? 'rule' : null);
}
