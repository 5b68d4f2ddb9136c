// leafName picks the canonical form a leaf is issued for. Only strings that could be
// addresses reach isIPv4/isIPv6 (isIPv6's regex is slow to compile on first use); the
// classification must be the one those checks give.
import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { leafName } from '../../proxy/ca/host-name.js';

describe('leafName', () => {
  it('canonicalises DNS names, IPv4 and IPv6 as before', () => {
    expect(leafName('Example.COM.')).toEqual({ host: 'example.com', ip: null });
    expect(leafName(' api.example.com ')).toEqual({ host: 'api.example.com', ip: null });
    expect(leafName('10.1.2.3')).toEqual({ host: '10.1.2.3', ip: Buffer.from([10, 1, 2, 3]) });
    expect(leafName('10.1.2.3.').host).toBe('10.1.2.3');
    expect(leafName('[2001:DB8:0::1]')).toEqual({ host: '2001:db8::1', ip: Buffer.from('20010db8000000000000000000000001', 'hex') });
    expect(leafName('fe80::1%eth0').host).toBe('fe80::1');
    expect(leafName('::ffff:1.2.3.4').host).toBe('::ffff:102:304');
    // Digits and dots that are not an address are a DNS name, as isIPv4 says.
    expect(leafName('1.2.3')).toEqual({ host: '1.2.3', ip: null });
    expect(leafName('01.2.3.4').ip).toBe(isIPv4('01.2.3.4') ? Buffer.from([1, 2, 3, 4]) : null);
    expect(() => leafName('a:b')).toThrow(/neither a host name nor an IP address/);
    expect(() => leafName('bad host')).toThrow(/neither a host name nor an IP address/);
  });

  it('treats a string as an address exactly when isIPv4 or isIPv6 does', () => {
    const samples = ['1.2.3.4', '255.255.255.255', '256.1.1.1', '1.2.3.4.5', '1..2.3', '0.0.0.0', '::', '::1', '1::', 'a::b', 'g::1',
      '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '::ffff:10.0.0.1', 'example.com', '123', '1e3.1.1.1', 'localhost', '_srv.example'];
    for (const raw of samples) {
      let ip: Buffer | null | undefined;
      try {
        ip = leafName(raw).ip;
      } catch {
        ip = undefined;
      }
      const address = isIPv4(raw) || isIPv6(raw);
      expect(ip instanceof Buffer, raw).toBe(address);
    }
  });
});
