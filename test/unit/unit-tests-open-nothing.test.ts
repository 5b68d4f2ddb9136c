// test/unit/ holds tests without sockets, servers or processes (they are fast and cannot
// flake on a busy machine); anything that opens one lives in test/integration/<concern>/.
// Read from the test sources: a unit file naming a socket or process API fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const unitDir = import.meta.dirname;

/** What opens a socket, a server or a process, as a test file would spell it. */
const OPENS = [
  /from ['"]node:(net|tls|http|https|http2|dgram|child_process)['"]/,
  /import\(['"]node:(net|tls|http|https|http2|dgram|child_process)['"]\)/,
  /\bfetch\(/,
  /\bnew WebSocket\(/,
  /\b(startEngine|startControlApi|startOrigin|listenLoopback|startNginx|runCli|runPinprobe)\(/,
  /\.start\(\)/,
  // helpers that start servers or run openssl
  /helpers\/(run|origin|engine|listen|nginx|tls-servers|tls12-alert|raw|browser|stacks|pki)\.js/,
];

describe('unit tests open nothing', () => {
  const files = readdirSync(unitDir).filter((f) => f.endsWith('.ts'));

  it('finds the unit test files', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(files).toContain('http-exchange.test.ts');
  });

  it('no file in test/unit/ names a socket, server or process API', () => {
    const self = 'unit-tests-open-nothing.test.ts';
    const found = files.filter((f) => f !== self).flatMap((f) => {
      const text = readFileSync(join(unitDir, f), 'utf8');
      return OPENS.filter((re) => re.test(text)).map((re) => `${f}: ${re.source}`);
    });
    expect(found).toEqual([]);
  });
});
