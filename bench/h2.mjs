// The HTTP/2 phase (issue 11): keep-alive h2 through each proxy to an h2-only origin —
// `conns` client connections offering ALPN h2 only, each keeping `streams` requests in
// flight, for `seconds`. Requests per second and the proxy's CPU per request (its process
// tree, from /proc). The client is Node's http2 (its cost is the benchmark's, not measured).
import { spawn } from 'node:child_process';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { countedWindow } from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startH2Origin(w) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'origin-h2.mjs'), w.certPath, w.keyPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (c) => fail(new Error(`h2 origin exited ${c}`)));
  });
  return { port: JSON.parse(line).port, stop: () => child.kill('SIGTERM') };
}

/** An h2 session to 127.0.0.1:port, through the proxy's CONNECT when proxyPort is given. */
function h2Session(port, proxyPort) {
  return new Promise((resolve, reject) => {
    const withTls = (socket) => {
      const t = tls.connect({ socket, host: '127.0.0.1', port, ALPNProtocols: ['h2'], rejectUnauthorized: false });
      t.once('secureConnect', () => {
        if (t.alpnProtocol !== 'h2') return reject(new Error(`the proxy answered ALPN ${t.alpnProtocol}, not h2`));
        const s = http2.connect(`https://127.0.0.1:${port}`, { createConnection: () => t });
        s.on('error', () => undefined);
        resolve(s);
      });
      t.once('error', reject);
    };
    if (!proxyPort) return withTls(undefined);
    const s = net.connect(proxyPort, '127.0.0.1');
    s.once('error', reject);
    s.once('connect', () => s.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    s.once('data', (d) => {
      if (!/^HTTP\/1\.[01] 200/.test(d.toString('latin1', 0, 12))) return reject(new Error(`CONNECT: ${d.toString('latin1', 0, 40)}`));
      withTls(s);
    });
  });
}

function get(session) {
  return new Promise((ok, fail) => {
    const req = session.request({ ':path': '/small' });
    req.on('data', () => undefined);
    req.on('end', ok);
    req.on('error', fail);
  });
}

export async function h2KeepAlive(originPort, proxy, { seconds, conns = 4, streams = 16, warmupMs = 500 }) {
  const sessions = await Promise.all(Array.from({ length: conns }, () => h2Session(originPort, proxy?.port)));
  let counting = false;
  let stop = false;
  let count = 0;
  let errors = 0;
  const loops = sessions.flatMap((s) => Array.from({ length: streams }, async () => {
    while (!stop) {
      try {
        await get(s);
        if (counting) count++;
      } catch {
        errors++;
        if (errors > 100) return;
      }
    }
  }));
  await sleep(warmupMs);
  const w = await countedWindow(proxy, seconds, { counting: (on) => (counting = on), count: () => count });
  stop = true;
  await Promise.all(loops);
  for (const s of sessions) s.destroy();
  return { requests: w.requests, errors, rps: w.rps, cpuUsPerReq: w.cpuUsPerReq, conns, streams };
}
