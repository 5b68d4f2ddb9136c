// gRPC through Pinprobe (issue 11): @grpc/grpc-js client and server on loopback, the client
// trusting Pinprobe's CA and reaching the server through the proxy's CONNECT. A unary and a
// server-streaming call succeed, and their grpc-status trailers are recorded.
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent, ResponseEvent, SessionLine } from '../../../proxy/session/events.js';
import { decodeGrpcFrames } from '../../../proxy/session/grpc-frames.js';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { decodeText, echoClientThroughProxy, encodeText, startEchoServer, unaryCall } from '../../helpers/grpc.js';

let server: { close(): Promise<void> };
let serverPort: number;
let proxy: TestEngine;
let client: grpc.Client;

beforeAll(async () => {
  const echo = await startEchoServer();
  server = echo;
  serverPort = echo.port;
  proxy = await startEngine({ scenario: 'trusted' });
  client = echoClientThroughProxy(proxy.port, serverPort, readFileSync(proxy.caPath));
});
afterAll(async () => {
  client?.close();
  await server?.close();
  await proxy?.close();
});

const isRequest = (l: SessionLine): l is RequestEvent => l.type === 'request';
const isResponse = (l: SessionLine): l is ResponseEvent => l.type === 'response';

const unary = (text: string): Promise<string> => unaryCall(client, text);

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
