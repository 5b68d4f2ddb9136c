// WebSocket messages are recorded with a real `ws` client and server through the real
// engine, as a plain ws:// proxy request and inside an intercepted TLS connection (with
// permessage-deflate): text, binary, fragmented, over the cap, ping/pong and close; the
// relayed bytes are the ones sent; the HAR export carries them as `_webSocketMessages`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { testPki } from '../../helpers/pki.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { harProblems } from '../../helpers/har-validate.js';
import { toHar } from '../../../proxy/session/har.js';
import type { RequestEvent, ResponseEvent, SessionLine, WebSocketEvent, WebSocketMessageEvent } from '../../../proxy/session/events.js';
import { tlsThroughProxy } from '../../helpers/h2.js';

const CAP = 4096;

/** An echo server: text back as "echo: …", binary back as is; "bye" makes it close with 4001. */
function echo(wss: WebSocketServer): void {
  wss.on('connection', (ws) =>
    ws.on('message', (data: RawData, binary: boolean) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      if (!binary && buf.toString() === 'bye') return ws.close(4001, 'server done');
      ws.send(binary ? buf : `echo: ${buf.toString()}`, { binary });
    }),
  );
}

/** ws over a plain HTTP proxy: the upgrade goes to the proxy with an absolute URL. */
class ProxyPathAgent extends http.Agent {
  constructor(private readonly proxyPort: number) {
    super();
  }
  override createConnection(): net.Socket {
    return net.connect(this.proxyPort, '127.0.0.1');
  }
}
type PathRequest = { path: string; host: string };
function absolutePaths(agent: ProxyPathAgent, target: string): ProxyPathAgent {
  const add = (agent as unknown as { addRequest(req: PathRequest, o: unknown): void }).addRequest.bind(agent);
  (agent as unknown as { addRequest(req: PathRequest, o: unknown): void }).addRequest = (req, o) => {
    req.path = `http://${target}${req.path}`;
    add(req, o);
  };
  return agent;
}

/** Runs one conversation; resolves with what the client received once the socket closed. */
async function converse(ws: WebSocket, big: Buffer): Promise<{ received: Array<{ data: Buffer; binary: boolean }>; pong: string; close: { code: number; reason: string } }> {
  const received: Array<{ data: Buffer; binary: boolean }> = [];
  let pong = '';
  await new Promise<void>((ok, fail) => {
    ws.once('open', ok);
    ws.once('error', fail);
  });
  const next = () => new Promise<void>((ok) => ws.once('message', (d: RawData, binary: boolean) => {
    received.push({ data: Buffer.isBuffer(d) ? d : Buffer.concat(d as Buffer[]), binary });
    ok();
  }));
  let wait = next();
  ws.send('hello');
  await wait;
  wait = next();
  ws.send(Buffer.from([0, 1, 2, 0xfe, 0xff]), { binary: true });
  await wait;
  wait = next();
  // One message in three frames.
  ws.send('frag-', { fin: false });
  ws.send('ment', { fin: false });
  ws.send('ed', { fin: true });
  await wait;
  wait = next();
  ws.send(big, { binary: true });
  await wait;
  await new Promise<void>((ok) => {
    ws.once('pong', (d: Buffer) => {
      pong = d.toString();
      ok();
    });
    ws.ping('are you there');
  });
  const closed = new Promise<{ code: number; reason: string }>((ok) => ws.once('close', (code: number, reason: Buffer) => ok({ code, reason: reason.toString() })));
  ws.send('bye');
  return { received, pong, close: await closed };
}

function messagesOf(lines: readonly SessionLine[], request: string): WebSocketMessageEvent[] {
  return lines.filter((l): l is WebSocketMessageEvent => l.type === 'ws-message' && l.request === request);
}

function text(m: WebSocketMessageEvent | undefined): string {
  return m ? Buffer.from(m.body.data, m.body.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8') : '';
}

async function closedLine(proxy: TestEngine, request: string): Promise<WebSocketEvent> {
  return proxy.waitFor((l): l is WebSocketEvent => l.type === 'websocket' && l.phase === 'closed' && l.request === request);
}

describe('WebSocket messages are recorded', () => {
  let proxy: TestEngine;
  let plainOrigin: http.Server;
  let tlsOrigin: https.Server;
  const big = randomBytes(20_000);

  beforeAll(async () => {
    const pki = testPki();
    plainOrigin = http.createServer();
    echo(new WebSocketServer({ server: plainOrigin, perMessageDeflate: false }));
    tlsOrigin = https.createServer({ cert: pki.serverCert, key: pki.serverKey });
    // threshold 0: every message is compressed, so the recorder must inflate them all.
    echo(new WebSocketServer({ server: tlsOrigin, perMessageDeflate: { threshold: 0 } }));
    await Promise.all([plainOrigin, tlsOrigin].map((s) => new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok))));
    proxy = await startEngine(
      { scenario: 'trusted', mapRemote: [{ from: 'wss.app.test', to: `127.0.0.1:${(tlsOrigin.address() as AddressInfo).port}` }] },
      { bodyCap: CAP },
    );
  });
  afterAll(async () => {
    await proxy.close();
    plainOrigin.close();
    tlsOrigin.close();
  });

  function checkConversation(lines: readonly SessionLine[], upgrade: RequestEvent, got: Awaited<ReturnType<typeof converse>>, inflated: boolean): void {
    // The client got exactly what the server sent (the relay is untouched).
    expect(got.received.map((r) => r.data.toString('latin1')).slice(0, 3)).toEqual(['echo: hello', Buffer.from([0, 1, 2, 0xfe, 0xff]).toString('latin1'), 'echo: frag-mented']);
    expect(createHash('sha256').update(got.received[3]!.data).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
    expect(got.pong).toBe('are you there');
    expect(got.close).toEqual({ code: 4001, reason: 'server done' });

    const ms = messagesOf(lines, upgrade.id);
    const sent = ms.filter((m) => m.direction === 'send');
    const recv = ms.filter((m) => m.direction === 'receive');
    expect(sent.map((m) => m.opcode)).toEqual([1, 2, 1, 2, 9, 1, 8]);
    expect(recv.map((m) => m.opcode)).toEqual([1, 2, 1, 2, 10, 8]);
    expect(text(sent[0])).toBe('hello');
    expect(text(recv[0])).toBe('echo: hello');
    expect(sent[1]!.body).toMatchObject({ encoding: 'base64', data: Buffer.from([0, 1, 2, 0xfe, 0xff]).toString('base64'), size: 5, truncated: false });
    expect(text(sent[2])).toBe('frag-mented');
    expect(text(recv[2])).toBe('echo: frag-mented');
    // Over the cap: the true size, the first CAP bytes, and a truncated flag.
    for (const m of [sent[3]!, recv[3]!]) {
      expect(m.body).toMatchObject({ size: 20_000, truncated: true });
      expect(Buffer.from(m.body.data, 'base64').equals(big.subarray(0, CAP))).toBe(true);
    }
    expect(text(sent[4])).toBe('are you there');
    expect(text(recv[4])).toBe('are you there');
    expect(recv[5]!.close).toEqual({ code: 4001, reason: 'server done' });
    expect(sent[6]!.close).toEqual({ code: 4001, reason: 'server done' });
    for (const m of ms.filter((x) => x.opcode < 8)) expect(m.inflated === true).toBe(inflated);
    // Times are in order and within the upgrade's lifetime.
    const times = ms.map((m) => Date.parse(m.time));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse(upgrade.time));

    const har = JSON.parse(JSON.stringify(toHar(lines as SessionLine[], { creatorVersion: 't' }))) as ReturnType<typeof toHar>;
    expect(harProblems(har)).toEqual([]);
    const entry = har.log.entries.find((e) => e.request.url === upgrade.url.replace(/^http/, 'ws'))!;
    expect(entry.response.status).toBe(101);
    expect(entry._resourceType).toBe('websocket');
    expect(entry._webSocketMessages!.map((m) => [m.type, m.opcode])).toEqual([
      ['send', 1], ['receive', 1], ['send', 2], ['receive', 2], ['send', 1], ['receive', 1], ['send', 2], ['receive', 2], ['send', 1],
    ]);
    expect(entry._webSocketMessages![0]!.data).toBe('hello');
    expect(entry._webSocketMessages![2]!.data).toBe(Buffer.from([0, 1, 2, 0xfe, 0xff]).toString('base64'));
    expect(Math.abs(entry._webSocketMessages![0]!.time * 1000 - Date.parse(sent[0]!.time))).toBeLessThan(1);
  }

  it('plain ws:// through the proxy: every message each way, the upgrade as a request with its 101', async () => {
    const target = `127.0.0.1:${(plainOrigin.address() as AddressInfo).port}`;
    const ws = new WebSocket(`ws://${target}/chat`, { agent: absolutePaths(new ProxyPathAgent(proxy.port), target), perMessageDeflate: false });
    const got = await converse(ws, big);
    const upgrade = await proxy.waitFor((l): l is RequestEvent => l.type === 'request' && l.url === `http://${target}/chat`);
    const closed = await closedLine(proxy, upgrade.id);
    expect(closed.messages).toEqual({ send: 7, receive: 6, notRecorded: 0 });
    const response = proxy.engine.lines().find((l): l is ResponseEvent => l.type === 'response' && l.id === upgrade.id);
    expect(response?.status).toBe(101);
    expect(upgrade.headers.some(([n, v]) => n.toLowerCase() === 'upgrade' && v === 'websocket')).toBe(true);
    checkConversation(proxy.engine.lines(), upgrade, got, false);
  });

  it('wss:// intercepted, with permessage-deflate: messages recorded inflated, relayed compressed', async () => {
    const ca = readFileSync(proxy.caPath, 'utf8');
    const socket = await tlsThroughProxy(proxy.port, 'wss.app.test:443', ca, ['http/1.1']);
    const ws = new WebSocket('wss://wss.app.test/chat', { createConnection: () => socket, perMessageDeflate: { threshold: 0 } });
    const got = await converse(ws, big);
    expect(ws.extensions).toMatch(/permessage-deflate/);
    const upgrade = await proxy.waitFor((l): l is RequestEvent => l.type === 'request' && l.url === 'https://wss.app.test/chat');
    await closedLine(proxy, upgrade.id);
    checkConversation(proxy.engine.lines(), upgrade, got, true);
  });

  it('the session file holds the same lines, and reading it back gives the same HAR', async () => {
    const { readSession } = await import('../../../proxy/session/reader.js');
    proxy.engine.status();
    const read = await readSession(proxy.engine.sessionFile);
    const fromFile = read.events.filter((e) => e.type === 'ws-message');
    const live = proxy.engine.lines().filter((l) => l.type === 'ws-message');
    expect(fromFile.length).toBe(live.length);
    expect(read.warnings).toEqual([]);
    const har = toHar(read.events, { creatorVersion: 't' });
    expect(harProblems(JSON.parse(JSON.stringify(har)))).toEqual([]);
    expect(har.log.entries.filter((e) => e._webSocketMessages).length).toBe(2);
  });
});
