// The upstream guard on a socket that is connected already (a kept-alive backend connection
// one client opened, about to carry another client's request): checked at once, with real
// loopback sockets (proxy/net/upstream.ts guard).
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { UpstreamPool } from '../../../proxy/net/upstream.js';

describe('the upstream guard and kept-alive sockets', () => {
  it('checks a kept-alive socket for each client that would reuse it, not only when it connected', async () => {
    // A loopback server and a socket a loopback client's request opened and left connected.
    const server = net.createServer((s) => s.on('error', () => {}));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const pool = new UpstreamPool({ extraCa: [], insecure: false, clientCerts: [], mapRemote: [] });
    try {
      const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      pool.guard(socket, { clientAddress: '127.0.0.1', mapped: false });
      await new Promise((ok) => socket.once('connect', ok));
      expect(socket.destroyed).toBe(false);
      // The next request on it comes from a device on the network: refused at once.
      const failed = new Promise<NodeJS.ErrnoException>((ok) => socket.once('error', ok));
      pool.guard(socket, { clientAddress: '192.168.1.50', mapped: false });
      expect((await failed).code).toBe('EPINPROBELOCAL');
      expect(socket.destroyed).toBe(true);
    } finally {
      pool.destroy();
      server.close();
    }
  });
});
