// leafName picks the canonical form a leaf is issued for. Only strings that could be
// addresses reach node:net's isIPv4/isIPv6 (isIPv6's regex is slow to compile on first
// use); the classification must be the one those checks give.
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
    expect(leafName('01.2.3.4')).toEqual({ host: '01.2.3.4', ip: null });
    expect(() => leafName('a:b')).toThrow(/neither a host name nor an IP address/);
    expect(() => leafName('bad host')).toThrow(/neither a host name nor an IP address/);
  });

  it('treats a string as an address exactly when it is one (the classification node:net gives)', () => {
    const addresses = ['1.2.3.4', '255.255.255.255', '0.0.0.0', '::', '::1', '1::', 'a::b', '1:2:3:4:5:6:7:8', '::ffff:10.0.0.1'];
    const names = ['256.1.1.1', '1.2.3.4.5', '123', '1e3.1.1.1', 'localhost', '_srv.example', 'example.com'];
    const invalid = ['g::1', '1:2:3:4:5:6:7:8:9', '1..2.3'];
    for (const raw of addresses) expect(leafName(raw).ip, raw).toBeInstanceOf(Buffer);
    for (const raw of names) expect(leafName(raw).ip, raw).toBeNull();
    for (const raw of invalid) expect(() => leafName(raw), raw).toThrow();
  });
});
