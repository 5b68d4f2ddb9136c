// The reserved name the onboarding page is served under, in one place for the listener
// (net/), the page and its info (api/) and the judge (which never counts the page as an
// app's cleartext traffic). RFC 6761 reserves `.invalid`, so no real backend has it.

export const ONBOARDING_HOST = 'pinprobe.invalid';

/** `host` or `host:port` naming the onboarding host (any case, trailing dot allowed). */
export function isOnboardingHost(host: string): boolean {
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  return name === ONBOARDING_HOST;
}

/**
 * Any `.invalid` name: what the judge leaves out of the verdicts. Wider than
 * isOnboardingHost on purpose, so a page recorded under another reserved name by an older
 * version is still not mistaken for an app's traffic.
 */
export function isReservedName(host: string): boolean {
  return host.toLowerCase().endsWith('.invalid') || host.toLowerCase() === 'invalid';
}
