// The ClientHello parser as a state machine fed bytes, as they arrive off a CONNECT socket
// (after mitmproxy's layer tests): need-more until the hello is whole, then ok with its SNI
// and ALPN; not-tls or malformed as soon as the bytes say so. Hellos captured from real
// clients (test/fixtures/client-hello/capture.mjs).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClientHello, type HelloParse } from '../../proxy/net/client-hello.js';

const captured = (name: string): Buffer =>
  Buffer.from(readFileSync(new URL(`../fixtures/client-hello/${name}.hex`, import.meta.url), 'utf8').trim(), 'hex');

/** The states the parser reports as the bytes arrive in chunks of `size`. */
function feed(bytes: Buffer, size: number): HelloParse['state'][] {
  const states: HelloParse['state'][] = [];
  for (let end = Math.min(size, bytes.length); ; end = Math.min(end + size, bytes.length)) {
    states.push(parseClientHello(bytes.subarray(0, end)).state);
    if (end === bytes.length) return states;
  }
}

/** The same handshake message re-framed as two TLS records (a hello may span records). */
function splitIntoTwoRecords(hello: Buffer, at: number): Buffer {
  const body = hello.subarray(5);
  const record = (part: Buffer) => Buffer.concat([Buffer.from([0x16, hello[1]!, hello[2]!, part.length >> 8, part.length & 0xff]), part]);
  return Buffer.concat([record(body.subarray(0, at)), record(body.subarray(at))]);
}

describe('ClientHello parser', () => {
  it('needs more until the last byte, then reports the SNI and ALPN (byte by byte)', () => {
    const curl = captured('curl');
    const states = feed(curl, 1);
    expect(states.slice(0, -1).every((s) => s === 'need-more')).toBe(true);
    expect(states.at(-1)).toBe('ok');
    const parsed = parseClientHello(curl);
    // The capture's own values (test/fixtures/client-hello/capture.mjs: curl to fp.test).
    expect(parsed).toMatchObject({ state: 'ok', hello: { sni: 'fp.test', alpn: ['h2', 'http/1.1'] } });
  });

  it('reads every captured client the same in any chunking', () => {
    for (const name of ['curl', 'node', 'java', 'wget', 'chromium']) {
      const bytes = captured(name);
      const whole = parseClientHello(bytes);
      expect(whole.state, name).toBe('ok');
      for (const size of [7, 100, 517]) expect(feed(bytes, size).at(-1), `${name} in ${size}-byte chunks`).toBe('ok');
    }
  });

  it('joins a hello split across two TLS records', () => {
    const curl = captured('curl');
    const split = splitIntoTwoRecords(curl, 40);
    expect(parseClientHello(split.subarray(0, 5 + 40)).state).toBe('need-more');
    const whole = parseClientHello(curl);
    const joined = parseClientHello(split);
    expect(joined).toEqual(whole);
  });

  it('says not-tls on the first byte of plain HTTP and need-more on nothing', () => {
    expect(parseClientHello(Buffer.alloc(0)).state).toBe('need-more');
    expect(parseClientHello(Buffer.from('G')).state).toBe('not-tls');
    expect(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n')).state).toBe('not-tls');
  });

  it('says malformed for a bad record length, another handshake type or a non-handshake record', () => {
    expect(parseClientHello(Buffer.from([0x16, 3, 1, 0, 0])).state).toBe('malformed');
    const curl = Buffer.from(captured('curl'));
    curl[5] = 0x02; // ServerHello
    expect(parseClientHello(curl)).toMatchObject({ state: 'malformed', reason: 'handshake type 2 is not ClientHello' });
    const split = splitIntoTwoRecords(captured('curl'), 40);
    split[5 + 40] = 0x17; // the second record claims to be application data
    expect(parseClientHello(split)).toMatchObject({ state: 'malformed', reason: 'record type 23 before the ClientHello ended' });
  });

  it('gives up on a hello larger than 64 KiB instead of waiting for it', () => {
    const huge = Buffer.concat([Buffer.from([0x16, 3, 1, 0x40, 0x00]), Buffer.alloc(70 * 1024)]);
    expect(parseClientHello(huge)).toMatchObject({ state: 'malformed', reason: 'ClientHello larger than 64 KiB' });
  });
});
