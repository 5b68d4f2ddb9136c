// HTTP/2 on loopback for the h2 tests: a real `http2.createSecureServer` origin (h2 only
// unless allowHTTP1) with the test PKI's certificate, and a Node h2 client session opened
// through the proxy's CONNECT tunnel, trusting Pinprobe's CA.
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { testPki } from './pki.js';

export interface H2Origin {
  port: number;
  server: http2.Http2SecureServer;
  close(): Promise<void>;
}

export async function startH2Origin(
  onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void,
  options: Partial<http2.SecureServerOptions> = {},
): Promise<H2Origin> {
  const pki = testPki();
  const server = http2.createSecureServer({ cert: pki.serverCert, key: pki.serverKey, ...options });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    onStream(stream, headers);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () => new Promise((ok) => {
      for (const s of sessions) s.destroy();
      server.close(() => ok());
    }),
  };
}

/** CONNECT through the proxy, then TLS with the given ALPN; resolves with the TLS socket. */
export function tlsThroughProxy(proxyPort: number, target: string, ca: string, alpn: string[], servername = target.replace(/:\d+$/, '')): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxyPort, '127.0.0.1');
    s.once('error', reject);
    s.once('data', (head: Buffer) => {
      if (!/^HTTP\/1\.1 200/.test(head.toString('latin1'))) return reject(new Error(`CONNECT refused: ${head.toString('latin1')}`));
      const t = tls.connect({ socket: s, servername, ca, ALPNProtocols: alpn });
      t.once('secureConnect', () => resolve(t));
      t.once('error', reject);
    });
    s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  });
}

/** An h2 client session through the proxy (ALPN `h2` only unless said otherwise). */
export async function h2ThroughProxy(proxyPort: number, target: string, ca: string, alpn = ['h2']): Promise<http2.ClientHttp2Session> {
  const socket = await tlsThroughProxy(proxyPort, target, ca, alpn);
  if (socket.alpnProtocol !== 'h2') throw new Error(`the proxy chose ${String(socket.alpnProtocol)}, not h2`);
  const session = http2.connect(`https://${target}`, { createConnection: () => socket });
  session.on('error', () => undefined);
  return session;
}

export interface H2Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  trailers: http2.IncomingHttpHeaders | null;
}

/** One request on a session, the whole answer collected (small bodies only). */
export function h2Get(session: http2.ClientHttp2Session, path: string, extra: http2.OutgoingHttpHeaders = {}, body?: Buffer): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, ':method': body ? 'POST' : 'GET', ...extra }, { endStream: !body });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | null = null;
    const chunks: Buffer[] = [];
    req.on('response', (h) => (headers = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks), trailers }));
    req.on('error', reject);
    if (body) req.end(body);
  });
}
