// Per-host mTLS verdict from upstream attempts (SPEC "mTLS"). Owned by the mTLS work;
// this first version only knows "unknown" so the rest of the judge can call it.
import type { UpstreamEvent } from '../session/events.js';
import type { MtlsVerdict } from './report-types.js';

export function judgeMtls(_attempts: readonly UpstreamEvent[]): MtlsVerdict {
  return { verdict: 'unknown', evidence: null, withCert: 'untested' };
}
