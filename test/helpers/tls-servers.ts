// Real TLS servers on loopback that behave like the mTLS backends in TLS-FACTS.md, for the
// mTLS tests and for the engine's integration tests. Every server listens on 127.0.0.1 with
// an OS-picked port and is signed by testPki()'s upstream CA; client certificates are
// checked against testPki()'s client CA.
import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { testPki } from './pki.js';

export interface RunningServer {
  port: number;
  /** https://127.0.0.1:PORT/ */
  url: string;
  close(): Promise<void>;
}

export type TlsVersionName = 'TLSv1.2' | 'TLSv1.3';

function listenHttps(options: https.ServerOptions, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RunningServer> {
  const server = https.createServer(options, handler);
  // A refused client (alert or reset) surfaces here; the tests look at the client side.
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no TCP address'));
      resolve({
        port: address.port,
        url: `https://127.0.0.1:${address.port}/`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function serverPki(): Pick<https.ServerOptions, 'cert' | 'key' | 'ca'> {
  const pki = testPki();
  return { cert: pki.serverCert, key: pki.serverKey, ca: [pki.clientCaCert] };
}

function ok(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok\n');
}

/**
 * Refuses a connection without a valid client certificate inside OpenSSL, like HAProxy
 * `verify required` or Envoy: alert handshake_failure (40) in the handshake on TLS 1.2,
 * alert certificate_required (116) on the client's first read on TLS 1.3.
 */
export function requireCertServer(opts: { maxVersion: TlsVersionName }): Promise<RunningServer> {
  return listenHttps(
    { ...serverPki(), requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2', maxVersion: opts.maxVersion },
    (_req, res) => ok(res),
  );
}

/**
 * API-gateway style (AWS API Gateway, Cloudflare API Shield): TLS completes whatever the
 * client shows; the HTTP layer answers 403 unless a certificate from the client CA came.
 * `body` replaces the default complaint, e.g. to model a bare `{"message":"Forbidden"}`.
 */
export function gateway403Server(opts: { body?: string } = {}): Promise<RunningServer> {
  const body = opts.body ?? JSON.stringify({ message: 'client certificate required' });
  return listenHttps({ ...serverPki(), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    if ((req.socket as TLSSocket).authorized) return ok(res);
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(body);
  });
}

/** No client authentication at all. */
export function plainServer(): Promise<RunningServer> {
  const pki = testPki();
  return listenHttps({ cert: pki.serverCert, key: pki.serverKey }, (_req, res) => ok(res));
}

/** Ask the OS for a free loopback port (for servers that cannot report the one they got). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address !== 'string' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once 127.0.0.1:port accepts TCP; rejects after timeoutMs or when `alive()` turns false. */
export async function waitForPort(port: number, timeoutMs: number, alive: () => string | null = () => null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (connected) return;
    const dead = alive();
    if (dead !== null) throw new Error(dead);
    if (Date.now() > deadline) throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops a child process and waits for it to be gone. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * `openssl s_server -Verify 1 -www`. Note that s_server's verify callback only reports a
 * failed chain unless `-verify_return_error` is given: plain `-Verify 1` demands *a*
 * certificate but accepts any one — a real "accepts any client certificate" backend.
 */
export async function opensslServer(opts: { verify: boolean; verifyReturnError?: boolean; version?: TlsVersionName }): Promise<RunningServer> {
  const pki = testPki();
  const port = await freePort();
  const args = ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', pki.serverCertPath, '-key', pki.serverKeyPath, '-www', '-quiet'];
  if (opts.verify) args.push('-Verify', '1', '-CAfile', pki.clientCaCertPath);
  if (opts.verifyReturnError) args.push('-verify_return_error');
  if (opts.version === 'TLSv1.2') args.push('-tls1_2');
  if (opts.version === 'TLSv1.3') args.push('-tls1_3');
  const child = spawn('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForPort(port, 10_000, () => (child.exitCode !== null ? `openssl s_server exited ${child.exitCode}: ${stderr.trim()}` : null));
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { port, url: `https://127.0.0.1:${port}/`, close: () => stopChild(child) };
}
