// The engine's features, in the order their hooks are asked: the session recording first
// (session/recording.ts: every event reaches the file and the in-memory session before any
// feature reacts to it), then --passthrough rules (a tester's explicit choice), then
// auto-passthrough (which also picks a host's stage-contrast scenario), then audit rotation
// (always has a scenario), then the mTLS prober. One entry per feature.
import type { Feature, FeatureContext } from './feature.js';
import { AutoPassthrough } from './auto-passthrough.js';
import { MtlsProber } from './mtls-prober.js';
import { PassthroughRules } from './passthrough-rules.js';
import { ScenarioRotation } from './scenario-rotation.js';

export type { Feature, FeatureContext };

export function defaultFeatures(ctx: FeatureContext): Feature[] {
  return [
    ...(ctx.recording ? [ctx.recording] : []),
    new PassthroughRules(() => ctx.settings().passthrough),
    new AutoPassthrough(ctx.bus, () => ctx.settings().autoPassthrough && ctx.settings().scenario === null),
    new ScenarioRotation(() => ctx.settings().scenario),
    new MtlsProber(ctx.bus, ctx.pool),
  ];
}
