// Which requests the proxy listener answers with the onboarding page instead of
// forwarding them (proxy/onboarding/): origin-form requests and the reserved name.
import { describe, expect, it } from 'vitest';
import { isOnboardingHost, isOnboardingRequest } from '../../proxy/onboarding/serve.js';

describe('isOnboardingRequest', () => {
  it('takes origin-form requests and the reserved host, not ordinary proxy requests', () => {
    expect(isOnboardingRequest({ url: '/', headers: { host: '192.168.1.23:8080' } })).toBe(true);
    expect(isOnboardingRequest({ url: 'http://pinprobe.invalid/', headers: { host: 'pinprobe.invalid' } })).toBe(true);
    expect(isOnboardingRequest({ url: 'http://PINPROBE.invalid:80/ca/pinprobe-ca.pem', headers: {} })).toBe(true);
    expect(isOnboardingRequest({ url: 'http://example.com/', headers: { host: 'example.com' } })).toBe(false);
    expect(isOnboardingRequest({ url: 'http://pinprobe.invalid.example.com/', headers: { host: 'pinprobe.invalid.example.com' } })).toBe(false);
  });
});

describe('isOnboardingHost', () => {
  it('takes the reserved name in any case, with a port or a trailing dot, and nothing else', () => {
    expect(isOnboardingHost('pinprobe.invalid')).toBe(true);
    expect(isOnboardingHost('Pinprobe.Invalid:8080')).toBe(true);
    expect(isOnboardingHost('pinprobe.invalid.')).toBe(true);
    expect(isOnboardingHost('pinprobe.invalid.example.com')).toBe(false);
    expect(isOnboardingHost('other.invalid')).toBe(false);
  });
});
