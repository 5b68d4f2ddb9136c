import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, loopbackRefusal, UpstreamPool } from '../../proxy/net/upstream.js';

describe("devices on the network cannot reach this computer's loopback services", () => {
  it('refuses a LAN client reaching a loopback address, naming both and the way out', () => {
    const r = loopbackRefusal('192.168.1.50', '127.0.0.1', false);
    expect(r?.code).toBe('EPINPROBELOCAL');
    expect(r?.message).toMatch(/127\.0\.0\.1 is this computer's loopback, and 192\.168\.1\.50 is a device on the network.*--map-remote/);
    expect(loopbackRefusal('fd00::5', '::1', false)?.code).toBe('EPINPROBELOCAL');
    expect(loopbackRefusal('10.0.0.7', '::ffff:127.0.0.1', false)?.code).toBe('EPINPROBELOCAL');
  });

  it('allows loopback clients, non-loopback targets, and explicit --map-remote rules', () => {
    expect(loopbackRefusal('127.0.0.1', '127.0.0.1', false)).toBeNull();
    expect(loopbackRefusal('::1', '127.0.0.5', false)).toBeNull();
    expect(loopbackRefusal('192.168.1.50', '93.184.216.34', false)).toBeNull();
    expect(loopbackRefusal('192.168.1.50', '127.0.0.1', true)).toBeNull();
  });

  it('knows loopback spellings', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::FFFF:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['128.0.0.1', '::2', '10.0.0.1', '']) expect(isLoopbackAddress(a)).toBe(false);
  });

  it('marks map-remote routes so the guard can tell a deliberate choice', () => {
    const pool = new UpstreamPool({ extraCa: [], insecure: false, clientCerts: [], mapRemote: [{ host: 'api.example.com', port: null, toHost: '127.0.0.1', toPort: 8443 }] });
    expect(pool.route('api.example.com', 443)).toMatchObject({ connectHost: '127.0.0.1', connectPort: 8443, mapped: true, servername: 'api.example.com' });
    expect(pool.route('other.example.com', 443)).toMatchObject({ connectHost: 'other.example.com', mapped: false });
    pool.destroy();
  });
});
