// One spelling of host[:port] for request-line URLs, Host headers and h2's :authority, and
// of host:port for messages, findings and the addresses a phone is told to use.
import { describe, expect, it } from 'vitest';
import { authority, hostPort } from '../../proxy/net/authority.js';

describe('authority', () => {
  it('leaves out the port only when it is the default of the scheme', () => {
    expect(authority('api.example.com', 443, 'https')).toBe('api.example.com');
    expect(authority('api.example.com', 80, 'http')).toBe('api.example.com');
    expect(authority('api.example.com', 80, 'https')).toBe('api.example.com:80');
    expect(authority('api.example.com', 443, 'http')).toBe('api.example.com:443');
    expect(authority('127.0.0.1', 8443, 'https')).toBe('127.0.0.1:8443');
  });

  it('puts an IPv6 address in brackets, with or without a port', () => {
    expect(authority('::1', 443, 'https')).toBe('[::1]');
    expect(authority('::1', 8443, 'https')).toBe('[::1]:8443');
    expect(authority('fe80::1', 80, 'http')).toBe('[fe80::1]');
  });

  it('hostPort always names the port and brackets IPv6', () => {
    expect(hostPort('api.example.com', 443)).toBe('api.example.com:443');
    expect(hostPort('192.168.1.20', 8080)).toBe('192.168.1.20:8080');
    expect(hostPort('fd00::5', 8080)).toBe('[fd00::5]:8080');
  });
});
