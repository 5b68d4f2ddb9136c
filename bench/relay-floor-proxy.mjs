// Used by bench/relay-floor.mjs: the least a Node TLS relay can do (see there).
// A minimal intercepting proxy to find Node's floor for TLS->TLS downloads.
// MODE: raw (TLS socket to TLS socket pipe, no HTTP), http (https.request + pipe), httphwm (same with 256K HWM);
// a mode ending in "gc" (rawhwmgc, httphwmgc) adds Pinprobe's young-generation collection every 2 MiB relayed.
import net from 'node:net'; import tls from 'node:tls'; import http from 'node:http'; import https from 'node:https'; import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8'; import { runInNewContext } from 'node:vm';
const [certPath, keyPath, modeArg, portS] = process.argv.slice(2);
const withGc = modeArg.endsWith('gc');
const mode = withGc ? modeArg.slice(0, -2) : modeArg;
let gc = null;
let pending = 0;
if (withGc) {
  setFlagsFromString('--expose-gc');
  gc = runInNewContext('gc');
}
const relayed = (n) => {
  if (gc && (pending += n) >= 2 * 1024 * 1024) {
    pending = 0;
    gc({ type: 'minor' });
  }
};
const cert = readFileSync(certPath), key = readFileSync(keyPath);
const hwm = mode.endsWith('hwm') ? 256 * 1024 : mode.endsWith('64') ? 65536 : undefined;
const chwm = mode.endsWith('c') ? 256 * 1024 : hwm; const uhwm = mode.endsWith('u') ? 256 * 1024 : hwm;
const ctx = tls.createSecureContext({ cert, key });
const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false, ...(uhwm ? { highWaterMark: uhwm } : {}) });
const inner = http.createServer((req, res) => {
  const up = https.request({ host: '127.0.0.1', port: inner.originPort, path: req.url, method: req.method, headers: req.headers, agent }, (upRes) => {
    res.writeHead(upRes.statusCode, upRes.headers);
    upRes.on('data', (c) => relayed(c.length));
    upRes.pipe(res);
  });
  req.pipe(up);
});
const outer = net.createServer((s) => {
  s.once('data', (d) => {
    const m = /^CONNECT ([^:]+):(\d+)/.exec(d.toString('latin1'));
    inner.originPort = Number(m[2]);
    s.write('HTTP/1.1 200 OK\r\n\r\n');
    const t = new tls.TLSSocket(s, { isServer: true, secureContext: ctx, ...(chwm ? { highWaterMark: chwm } : {}) });
    if (mode.startsWith('raw')) {
      t.once('secure', () => {
        const u = tls.connect({ host: '127.0.0.1', port: Number(m[2]), rejectUnauthorized: false, ...(hwm ? { highWaterMark: hwm } : {}) }, () => { t.pipe(u); u.on('data', (c) => relayed(c.length)); u.pipe(t); });
      });
    } else inner.emit('connection', t);
  });
});
outer.listen(Number(portS), '127.0.0.1');
