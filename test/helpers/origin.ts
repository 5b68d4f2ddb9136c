// A real HTTPS origin on loopback with the test PKI's server certificate.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import { testPki } from './pki.js';

export interface Origin {
  port: number;
  server: https.Server;
  close(): Promise<void>;
}

export async function startOrigin(handler?: RequestListener, options: https.ServerOptions = {}): Promise<Origin> {
  const pki = testPki();
  const server = https.createServer({ cert: pki.serverCert, key: pki.serverKey, ...options }, handler ?? ((req, res) => res.end(`origin says hi to ${req.url}\n`)));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
