// The benchmark's client side: raw HTTP/1.1 over TLS, directly or through a CONNECT tunnel,
// so the client spends as little CPU per request as possible (Node's http client would cost
// more than some of the proxies it measures). Certificates are not verified: the proxies
// present audit-rotation leaves on purpose; the benchmark measures cost, not trust.
import net from 'node:net';
import tls from 'node:tls';

/** Opens a TLS connection to host:port, through `proxyPort` (CONNECT) when given. */
export function openTls({ host, port, proxyPort }) {
  return new Promise((resolve, reject) => {
    const done = (socket) => {
      const t = tls.connect({ socket, host, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false });
      t.once('secureConnect', () => resolve(t));
      t.once('error', reject);
    };
    if (!proxyPort) {
      const t = tls.connect({ host, port, rejectUnauthorized: false });
      t.once('secureConnect', () => resolve(t));
      t.once('error', reject);
      return;
    }
    const s = net.connect(proxyPort, '127.0.0.1');
    s.once('error', reject);
    s.once('connect', () => s.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`));
    let head = Buffer.alloc(0);
    const onData = (d) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      if (!/^HTTP\/1\.[01] 200/.test(head.toString('latin1', 0, 12))) return reject(new Error(`CONNECT: ${head.toString('latin1', 0, end)}`));
      s.pause();
      done(s);
    };
    s.on('data', onData);
  });
}

/**
 * A keep-alive HTTP/1.1 connection: get(path) resolves with the body length once the whole
 * answer arrived (Content-Length or chunked). One request at a time.
 */
export class Conn {
  constructor(socket, host) {
    this.socket = socket;
    this.host = host;
    this.buf = null;
    this.waiting = null;
    socket.on('data', (d) => this.onData(d));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('closed')));
  }

  get(path, discard = false) {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, discard, headerEnd: -1, length: -1, chunked: false, got: 0 };
      this.buf = null;
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${this.host}\r\nUser-Agent: pinprobe-bench\r\n\r\n`);
    });
  }

  onData(d) {
    const w = this.waiting;
    if (!w) return;
    if (w.headerEnd < 0) {
      this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.toString('latin1', 0, end);
      const status = Number(head.slice(9, 12));
      if (status !== 200) return this.fail(new Error(`status ${status}`));
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      w.headerEnd = end + 4;
      w.chunked = !cl && /\r\ntransfer-encoding:\s*chunked/i.test(head);
      w.length = cl ? Number(cl[1]) : -1;
      d = this.buf.subarray(w.headerEnd);
      this.buf = null;
      w.tail = '';
      w.got = 0;
    }
    w.got += d.length;
    if (w.chunked) {
      // Only the last bytes matter: the answer ends with the zero-size chunk.
      w.tail = (w.tail + d.subarray(-5).toString('latin1')).slice(-5);
      if (w.tail === '0\r\n\r\n') this.finish(w.got);
    } else if (w.got >= w.length) this.finish(w.got);
  }

  finish(n) {
    const w = this.waiting;
    this.waiting = null;
    this.buf = null;
    w.resolve(n);
  }

  fail(err) {
    const w = this.waiting;
    this.waiting = null;
    if (w) w.reject(err);
  }

  close() {
    this.socket.destroy();
  }
}

export async function connect(target) {
  return new Conn(await openTls(target), target.host);
}
