// Starts a test server on 127.0.0.1 at a free port and returns the port.
import type { AddressInfo, Server } from 'node:net';

export async function listenLoopback(server: Server): Promise<number> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as AddressInfo).port;
}
