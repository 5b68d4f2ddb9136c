// gRPC through Pinprobe (issue 11): @grpc/grpc-js client and server on loopback, the client
// trusting Pinprobe's CA and reaching the server through the proxy's CONNECT. A unary and a
// server-streaming call succeed, and their grpc-status trailers are recorded.
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent, ResponseEvent, SessionLine } from '../../../proxy/session/events.js';
import { decodeGrpcFrames } from '../../../proxy/session/grpc-frames.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { testPki } from '../../helpers/pki.js';

/** A one-field message (field 1, a string) in protobuf wire format, written by hand: no schema compiler. */
function encodeText(text: string): Buffer {
  const body = Buffer.from(text);
  if (body.length > 127) throw new Error('short texts only');
  return Buffer.concat([Buffer.from([0x0a, body.length]), body]);
}
function decodeText(buf: Buffer): string {
  if (buf[0] !== 0x0a) throw new Error('expected field 1');
  return buf.subarray(2, 2 + buf[1]!).toString();
}

const service: grpc.ServiceDefinition = {
  say: {
    path: '/pinprobe.test.Echo/Say', requestStream: false, responseStream: false,
    requestSerialize: encodeText, requestDeserialize: decodeText, responseSerialize: encodeText, responseDeserialize: decodeText,
  },
  count: {
    path: '/pinprobe.test.Echo/Count', requestStream: false, responseStream: true,
    requestSerialize: encodeText, requestDeserialize: decodeText, responseSerialize: encodeText, responseDeserialize: decodeText,
  },
};
const EchoClient = grpc.makeGenericClientConstructor(service, 'Echo');

let server: grpc.Server;
let serverPort: number;
let proxy: TestEngine;
let client: grpc.Client;

beforeAll(async () => {
  const pki = testPki();
  server = new grpc.Server();
  server.addService(service, {
    say: (call: grpc.ServerUnaryCall<string, string>, cb: grpc.sendUnaryData<string>) => cb(null, `hello ${call.request}`),
    count: (call: grpc.ServerWritableStream<string, string>) => {
      for (let i = 1; i <= 3; i++) call.write(`${call.request} ${i}`);
      call.end();
    },
  });
  serverPort = await new Promise<number>((ok, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(pki.serverKey), cert_chain: Buffer.from(pki.serverCert) }]), (err, port) =>
      err ? fail(err) : ok(port),
    ),
  );
  proxy = await startEngine({ scenario: 'trusted' });
  const credentials = grpc.credentials.createSsl(readFileSync(proxy.caPath));
  // Through the proxy by an explicit CONNECT, as grpc-js does for grpc_proxy/https_proxy.
  client = new EchoClient(`127.0.0.1:${proxy.port}`, credentials, {
    'grpc.http_connect_target': `dns:localhost:${serverPort}`,
    'grpc.ssl_target_name_override': 'localhost',
    'grpc.default_authority': `localhost:${serverPort}`,
  });
});
afterAll(async () => {
  client?.close();
  await new Promise<void>((ok) => (server ? server.tryShutdown(() => ok()) : ok()));
  await proxy?.close();
});

const isRequest = (l: SessionLine): l is RequestEvent => l.type === 'request';
const isResponse = (l: SessionLine): l is ResponseEvent => l.type === 'response';

function unary(text: string): Promise<string> {
  return new Promise((ok, fail) =>
    client.makeUnaryRequest<string, string>('/pinprobe.test.Echo/Say', encodeText, decodeText, text, (err, value) => (err ? fail(err) : ok(value!))),
  );
}

describe('gRPC through the proxy', () => {
  it('a unary call succeeds and its grpc-status trailer is recorded', async () => {
    expect(await unary('pinprobe')).toBe('hello pinprobe');
    const req = await proxy.waitFor((l): l is RequestEvent => isRequest(l) && l.url.endsWith('/pinprobe.test.Echo/Say'));
    expect(req).toMatchObject({ method: 'POST', httpVersion: '2' });
    expect(req.headers).toContainEqual(['content-type', 'application/grpc']);
    const res = await proxy.waitFor((l): l is ResponseEvent => isResponse(l) && l.id === req.id);
    expect(res.trailers).toContainEqual(['grpc-status', '0']);
    // The bodies are gRPC frames: one message each way, readable without a schema.
    const sent = decodeGrpcFrames(Buffer.from(req.body.data, req.body.encoding === 'base64' ? 'base64' : 'utf8'));
    expect(sent.messages).toHaveLength(1);
    expect(sent.messages[0]!.fields?.[0]).toMatchObject({ field: 1, wire: 'len', text: 'pinprobe' });
    const got = decodeGrpcFrames(Buffer.from(res.body.data, res.body.encoding === 'base64' ? 'base64' : 'utf8'));
    expect(got.messages[0]!.fields?.[0]).toMatchObject({ field: 1, text: 'hello pinprobe' });
  });

  it('a server-streaming call gets every message and its grpc-status', async () => {
    const got: string[] = [];
    await new Promise<void>((ok, fail) => {
      const call = client.makeServerStreamRequest<string, string>('/pinprobe.test.Echo/Count', encodeText, decodeText, 'tick');
      call.on('data', (m: string) => got.push(m));
      call.on('status', (s: grpc.StatusObject) => (s.code === grpc.status.OK ? ok() : fail(new Error(s.details))));
      call.on('error', fail);
    });
    expect(got).toEqual(['tick 1', 'tick 2', 'tick 3']);
    const req = await proxy.waitFor((l): l is RequestEvent => isRequest(l) && l.url.endsWith('/pinprobe.test.Echo/Count'));
    const res = await proxy.waitFor((l): l is ResponseEvent => isResponse(l) && l.id === req.id);
    expect(res.trailers).toContainEqual(['grpc-status', '0']);
    expect(decodeGrpcFrames(Buffer.from(res.body.data, 'base64')).messages.map((m) => m.fields?.[0]?.text)).toEqual(['tick 1', 'tick 2', 'tick 3']);
  });

  it('a failing call relays grpc-status and grpc-message as trailers', async () => {
    const err = await new Promise<grpc.ServiceError>((ok) =>
      client.makeUnaryRequest<string, string>('/pinprobe.test.Echo/Missing', encodeText, decodeText, 'x', (e) => ok(e!)),
    );
    expect(err.code).toBe(grpc.status.UNIMPLEMENTED);
    const req = await proxy.waitFor((l): l is RequestEvent => isRequest(l) && l.url.endsWith('/Missing'));
    const res = await proxy.waitFor((l): l is ResponseEvent => isResponse(l) && l.id === req.id);
    // grpc-js answers an unknown method trailers-only: grpc-status in the (only) header block.
    const fields = [...res.headers, ...(res.trailers ?? [])];
    expect(fields).toContainEqual(['grpc-status', String(grpc.status.UNIMPLEMENTED)]);
    expect(fields.some(([n]) => n === 'grpc-message')).toBe(true);
  });
});
