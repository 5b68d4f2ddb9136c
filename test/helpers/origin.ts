// A real HTTPS origin on loopback with the test PKI's server certificate.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestListener, ServerResponse } from 'node:http';
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

/** Answers `size` bytes of `block` repeated, with backpressure: never more than one block queued ahead. */
export function sendRepeated(res: ServerResponse, block: Buffer, size: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
  let sent = 0;
  const write = () => {
    while (sent < size) {
      sent += block.length;
      if (!res.write(block)) return void res.once('drain', write);
    }
    res.end();
  };
  write();
}
