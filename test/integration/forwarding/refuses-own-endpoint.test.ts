// SPEC: "The proxy never forwards to its own control API or listener (absolute-form or
// CONNECT)". Numeric and trailing-dot spellings of loopback reach the same socket as
// 127.0.0.1 does, so they must be refused too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine } from '../../helpers/engine.js';
import { rawExchange } from '../../helpers/raw.js';

const exchange = (port: number, text: string): Promise<string> => rawExchange(port, text, 2000);

const SPELLINGS = ['2130706433', '0x7f000001', '0177.0.0.1', '127.1', '0', 'localhost.', '127.0.0.1.', '[0:0:0:0:0:0:0:1]', '[::ffff:7f00:1]'];

describe('never forwards to its own listener, however loopback is spelled', () => {
  let proxy: TestEngine;
  beforeAll(async () => {
    proxy = await startEngine({ scenario: 'trusted' });
  });
  afterAll(async () => {
    await proxy.close();
  });

  for (const host of SPELLINGS) {
    it(`refuses CONNECT ${host}:<proxy port>`, async () => {
      const text = await exchange(proxy.port, `CONNECT ${host}:${proxy.port} HTTP/1.1\r\nHost: ${host}:${proxy.port}\r\n\r\n`);
      expect(text).toMatch(/^HTTP\/1\.1 403 /);
    });
    it(`refuses GET http://${host}:<proxy port>/`, async () => {
      const text = await exchange(proxy.port, `GET http://${host}:${proxy.port}/ HTTP/1.1\r\nHost: ${host}:${proxy.port}\r\nConnection: close\r\n\r\n`);
      expect(text).toMatch(/^HTTP\/1\.1 403 /);
    });
  }
});
