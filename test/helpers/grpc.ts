// A tiny gRPC service for the h2 tests (@grpc/grpc-js on loopback with the test PKI's
// certificate) and a client reaching it through Pinprobe's CONNECT, trusting Pinprobe's CA.
// Messages are one-field protobufs written by hand: no schema compiler.
import * as grpc from '@grpc/grpc-js';
import { testPki } from './pki.js';

/** A one-field message (field 1, a string) in protobuf wire format. */
export function encodeText(text: string): Buffer {
  const body = Buffer.from(text);
  if (body.length > 127) throw new Error('short texts only');
  return Buffer.concat([Buffer.from([0x0a, body.length]), body]);
}
export function decodeText(buf: Buffer): string {
  if (buf[0] !== 0x0a) throw new Error('expected field 1');
  return buf.subarray(2, 2 + buf[1]!).toString();
}

export const echoService: grpc.ServiceDefinition = {
  say: {
    path: '/pinprobe.test.Echo/Say', requestStream: false, responseStream: false,
    requestSerialize: encodeText, requestDeserialize: decodeText, responseSerialize: encodeText, responseDeserialize: decodeText,
  },
  count: {
    path: '/pinprobe.test.Echo/Count', requestStream: false, responseStream: true,
    requestSerialize: encodeText, requestDeserialize: decodeText, responseSerialize: encodeText, responseDeserialize: decodeText,
  },
};
const EchoClient = grpc.makeGenericClientConstructor(echoService, 'Echo');

/** The Echo server: Say answers "hello <text>", Count streams "<text> 1..3". */
export async function startEchoServer(): Promise<{ server: grpc.Server; port: number; close(): Promise<void> }> {
  const pki = testPki();
  const server = new grpc.Server();
  server.addService(echoService, {
    say: (call: grpc.ServerUnaryCall<string, string>, cb: grpc.sendUnaryData<string>) => cb(null, `hello ${call.request}`),
    count: (call: grpc.ServerWritableStream<string, string>) => {
      for (let i = 1; i <= 3; i++) call.write(`${call.request} ${i}`);
      call.end();
    },
  });
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(pki.serverKey), cert_chain: Buffer.from(pki.serverCert) }]), (err, p) =>
      err ? fail(err) : ok(p),
    ),
  );
  return { server, port, close: () => new Promise<void>((ok) => server.tryShutdown(() => ok())) };
}

/** A client for the Echo server at localhost:serverPort, through the proxy by an explicit CONNECT (as grpc-js does for https_proxy). */
export function echoClientThroughProxy(proxyPort: number, serverPort: number, proxyCa: Buffer): grpc.Client {
  return new EchoClient(`127.0.0.1:${proxyPort}`, grpc.credentials.createSsl(proxyCa), {
    'grpc.http_connect_target': `dns:localhost:${serverPort}`,
    'grpc.ssl_target_name_override': 'localhost',
    'grpc.default_authority': `localhost:${serverPort}`,
  });
}

export function unaryCall(client: grpc.Client, text: string): Promise<string> {
  return new Promise((ok, fail) =>
    client.makeUnaryRequest<string, string>('/pinprobe.test.Echo/Say', encodeText, decodeText, text, (err, value) => (err ? fail(err) : ok(value!))),
  );
}
