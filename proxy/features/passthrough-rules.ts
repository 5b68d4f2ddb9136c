// --passthrough GLOB: hosts that are tunnelled untouched, never intercepted.
import type { ConnectTarget, TunnelReason } from '../engine-bus.js';
import { hostGlobMatch } from '../host-glob.js';
import type { Feature } from './feature.js';

export function passthroughRule(globs: () => readonly string[]): (target: ConnectTarget) => TunnelReason | null {
  return (target) => (globs().some((g) => hostGlobMatch(g, target.host, target.port)) ? 'rule' : null);
}

/** The --passthrough rules as a feature. */
export class PassthroughRules implements Feature {
  readonly name = 'passthrough-rules';
  readonly tunnel: (target: ConnectTarget) => TunnelReason | null;

  constructor(globs: () => readonly string[]) {
    this.tunnel = passthroughRule(globs);
  }
}
