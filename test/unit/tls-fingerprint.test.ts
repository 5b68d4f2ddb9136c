// JA4/JA3 of ClientHellos captured from real stacks on this machine (test/fixtures/client-hello/*.hex,
// written by capture.mjs: the first TLS record each client sent to a loopback listener):
//   curl 7.88/OpenSSL 3.0 (`curl --resolve fp.test:P:127.0.0.1 https://fp.test:P/`), Node 20 https.get
//   with servername fp.test, JDK 17 HttpsURLConnection to https://localhost:P/, wget 1.21/GnuTLS to
//   https://127.0.0.1:P/, headless Chromium 156 to https://fp.test:P/.
// Expected values come from a second, independent implementation (a Python script written
// from FoxIO's JA4 definition and the JA3 definition); the JA3 strings below are what it
// printed, checked by hand against the hello's fields. The hashing step itself is checked
// against a published browser vector (tls.browserleaks.com's ja4_r / ja3_text for Chrome).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClientHello } from '../../proxy/net/client-hello.js';
import { isGrease, ja3String, ja4, type HelloFields } from '../../proxy/net/tls-fingerprint.js';

const hello = (name: string) => {
  const bytes = Buffer.from(readFileSync(new URL(`../fixtures/client-hello/${name}.hex`, import.meta.url), 'utf8').trim(), 'hex');
  const parsed = parseClientHello(bytes);
  if (parsed.state !== 'ok') throw new Error(`${name}: ${parsed.state}`);
  return parsed.hello;
};

const EXPECTED: Record<string, { ja4: string; ja3: string; ja3String: string }> = {
  curl: {
    ja4: 't13d3112h2_e8f1e7e78f70_b26ce05bbdd6',
    ja3: '0149f47eabf9a20d0893e2a44e5a6323',
    ja3String: '771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-16-22-23-49-13-43-45-51-21,29-23-30-25-24-256-257-258-259-260,0-1-2',
  },
  node: {
    ja4: 't13d591000_a33745022dd6_1f22a2ca17c4',
    ja3: '0cce74b0d9b7f8528fb2181588d23793',
    ja3String: '771,4866-4867-4865-49199-49195-49200-49196-158-49191-103-49192-107-163-159-52393-52392-52394-49327-49325-49315-49311-49245-49249-49239-49235-162-49326-49324-49314-49310-49244-49248-49238-49234-49188-106-49187-64-49162-49172-57-56-49161-49171-51-50-157-49313-49309-49233-156-49312-49308-49232-61-60-53-47-255,0-11-10-35-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2',
  },
  java: {
    ja4: 't13i371100_db35923f8641_7c76daad20ec',
    ja3: '795a08fe385896aee616d3b7236502da',
    ja3String: '771,4866-4865-4867-49196-49195-52393-49200-52392-49199-159-52394-163-158-162-49188-49192-49187-49191-107-106-103-64-49162-49172-49161-49171-57-56-51-50-157-156-61-60-53-47-255,5-10-11-17-23-35-13-43-45-50-51,29-23-24-25-30-256-257-258-259-260,0',
  },
  wget: {
    ja4: 't13i291200_723694b0fccc_899037bd0b8c',
    ja3: 'b1eb3ca3daaf03d365753f0a321e1601',
    ja3String: '771,4866-4867-4865-4868-49196-52393-49325-49162-49195-49324-49161-49200-52392-49172-49199-49171-157-49309-53-156-49308-47-159-52394-49311-57-158-49310-51,5-10-11-13-35-51-43-49-65281-45-28-21,23-24-25-29-30-256-257-258-259-260,0',
  },
  chromium: {
    ja4: 't13d1517h2_8daaf6152771_cb7bf5808d99',
    ja3: '3c59279e78c9b02031c4abf35e6d935a',
    ja3String: '771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,23-0-45-35-10-65281-65037-16-18-13-27-51-11-17613-43-5-51764,4588-29-23-24,0',
  },
};

describe('ClientHello fingerprints from real stacks', () => {
  for (const [name, want] of Object.entries(EXPECTED)) {
    it(`${name}: JA4 and JA3 match the second implementation`, () => {
      const h = hello(name);
      expect(h.fingerprint.ja4).toBe(want.ja4);
      expect(h.fingerprint.ja3).toBe(want.ja3);
      expect(createHash('md5').update(want.ja3String).digest('hex')).toBe(want.ja3);
    });
  }

  it('gives every stack its own JA4', () => {
    const all = Object.keys(EXPECTED).map((n) => hello(n).fingerprint.ja4);
    expect(new Set(all).size).toBe(all.length);
  });

  it('drops GREASE everywhere (Chromium sends it in ciphers, extensions, groups and versions)', () => {
    const raw = readFileSync(new URL('../fixtures/client-hello/chromium.hex', import.meta.url), 'utf8');
    expect(raw).toMatch(/([0-9a-f])a\1a/); // the capture does carry GREASE values
    expect(EXPECTED.chromium?.ja3String).not.toMatch(/\b(2570|6682|10794|14906|19018|23130|27242|31354|35466|39578|43690|47802|51914|56026|60138|64250)\b/);
    expect(isGrease(0x0a0a)).toBe(true);
    expect(isGrease(0xfafa)).toBe(true);
    expect(isGrease(0x0a1a)).toBe(false);
    expect(isGrease(0x1301)).toBe(false);
  });
});

describe('JA4 building blocks', () => {
  // Chrome's published raw JA4 (ja4_r) lists: FoxIO's hashing must give the published hashes.
  const chrome: HelloFields = {
    legacyVersion: 0x0303,
    ciphers: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
    extensions: [0x002d, 0x0033, 0x0010, 0xfe0d, 0x0017, 0x44cd, 0x0000, 0x000b, 0x000a, 0x002b, 0xff01, 0x0023, 0x0012, 0x0005, 0x000d, 0x001b],
    groups: [0x11ec, 29, 23, 24],
    pointFormats: [0],
    signatureAlgorithms: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
    supportedVersions: [0x3a3a, 0x0304, 0x0303],
    hasSni: true,
    alpn: ['h2', 'http/1.1'],
  };

  it('reproduces the published Chrome JA4 and JA3', () => {
    expect(ja4(chrome)).toBe('t13d1516h2_8daaf6152771_d8a2da3f94cd');
    expect(createHash('md5').update(ja3String(chrome)).digest('hex')).toBe('98487aa16281980e7d1120d399efb6a4');
  });

  it('says 00 without ALPN, i without SNI, 12 without supported_versions', () => {
    const old = { ...chrome, alpn: [], hasSni: false, supportedVersions: [] };
    expect(ja4(old).slice(0, 10)).toBe('t12i151600');
  });

  it('uses hex digits for a non-alphanumeric ALPN value', () => {
    expect(ja4({ ...chrome, alpn: ['\u0001x\u00ff'] }).slice(8, 10)).toBe('0f');
  });
});
