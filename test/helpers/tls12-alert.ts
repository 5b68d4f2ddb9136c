// A TLS 1.2 client that behaves like Firefox on TLS 1.2 refusing a certificate: it finishes
// the handshake, then sends a fatal alert *encrypted* under the session keys (only its record
// type, 21, is visible on the wire), then FIN. Node's TLS client cannot send an alert on
// demand, so the handshake is Node's (AES-128-GCM, keys from the `keylog` event) and the
// alert record is built here and written to the raw socket (RFC 5246 §6.3, RFC 5288).
import { createCipheriv, createHmac } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';

/** TLS 1.2 PRF with SHA-256 (RFC 5246 §5). */
function prf(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const fullSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const out: Buffer[] = [];
  let a: Buffer = fullSeed;
  let total = 0;
  while (total < length) {
    a = createHmac('sha256', secret).update(a).digest();
    const block = createHmac('sha256', secret).update(Buffer.concat([a, fullSeed])).digest();
    out.push(block);
    total += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

export interface AlertClientResult {
  /** What the client saw of the server certificate before it alerted. */
  secure: boolean;
}

/**
 * CONNECTs through the proxy to `host:443`, completes a TLS 1.2 handshake trusting `ca`
 * (or nothing), then sends an encrypted fatal alert `description` (default 42,
 * bad_certificate) and closes.
 */
export async function tls12AlertAfterHandshake(proxyPort: number, host: string, opts: { ca?: string; description?: number; localAddress?: string } = {}): Promise<AlertClientResult> {
  const raw = await new Promise<net.Socket>((ok, fail) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: `${host}:443`, localAddress: opts.localAddress });
    req.once('connect', (res, socket) => (res.statusCode === 200 ? ok(socket) : fail(new Error(`CONNECT answered ${res.statusCode}`))));
    req.once('error', fail);
    req.end();
  });
  // A JS stream between TLS and the socket, so the bytes from the server can be read too.
  let serverRandom: Buffer | null = null;
  let fromServer = Buffer.alloc(0);
  const wire = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      raw.write(chunk, done);
    },
  });
  raw.on('data', (chunk: Buffer) => {
    if (!serverRandom) {
      fromServer = Buffer.concat([fromServer, chunk]);
      // record header (5) + handshake header (4) + version (2), then 32 random bytes
      if (fromServer.length >= 43 && fromServer[0] === 0x16 && fromServer[5] === 0x02) serverRandom = fromServer.subarray(11, 43);
    }
    wire.push(chunk);
  });
  raw.on('end', () => wire.push(null));
  raw.on('error', () => wire.destroy());
  wire.on('error', () => undefined);

  return new Promise<AlertClientResult>((resolve, reject) => {
    let keylog = '';
    const t = tls.connect({
      socket: wire, servername: host, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256',
      // The client refuses by itself below; the handshake must complete whatever the chain.
      rejectUnauthorized: false, ...(opts.ca ? { ca: opts.ca } : {}),
    });
    t.on('keylog', (line: Buffer) => (keylog += line.toString('latin1')));
    t.on('error', reject); // later errors (EPIPE once the proxy closed) change nothing
    t.once('secureConnect', () => {
      const m = /CLIENT_RANDOM ([0-9a-f]{64}) ([0-9a-f]{96})/i.exec(keylog);
      if (!m || !serverRandom) return reject(new Error('no TLS 1.2 keys (keylog or ServerHello missing)'));
      const clientRandom = Buffer.from(m[1] as string, 'hex');
      const master = Buffer.from(m[2] as string, 'hex');
      const block = prf(master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), 40);
      const key = block.subarray(0, 16);
      const salt = block.subarray(32, 36);
      // The client's Finished was record 0 under these keys; the alert is record 1.
      const seq = Buffer.alloc(8);
      seq.writeUInt32BE(1, 4);
      const plain = Buffer.from([2, opts.description ?? 42]);
      const cipher = createCipheriv('aes-128-gcm', key, Buffer.concat([salt, seq]));
      cipher.setAAD(Buffer.concat([seq, Buffer.from([21, 3, 3, 0, plain.length])]));
      const body = Buffer.concat([seq, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      const header = Buffer.from([21, 3, 3, body.length >> 8, body.length & 0xff]);
      const authorized = t.authorized;
      raw.end(Buffer.concat([header, body])); // alert, then FIN, as Firefox does
      raw.once('close', () => resolve({ secure: authorized }));
      setTimeout(() => raw.destroy(), 2000).unref();
    });
  });
}
