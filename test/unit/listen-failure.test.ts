// What `pinprobe proxy`/`ui` says when it cannot listen (engine.ts listenFailure): the cause
// in words and the option that fixes it. EADDRINUSE and EADDRNOTAVAIL are also met for real
// in test/integration/cli (ports taken, an address not on this machine), ENOTFOUND and EACCES
// in listen-errors-for-real.test.ts (a .invalid name; a low port as `nobody`).
import { describe, expect, it } from 'vitest';
import { listenFailure } from '../../proxy/engine.js';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('listenFailure', () => {
  it('names the option for each cause', () => {
    expect(listenFailure(err('EADDRINUSE'), '0.0.0.0', 8080)).toBe('port 8080 on 0.0.0.0 is already in use — stop the other proxy or choose another with --port');
    expect(listenFailure(err('EADDRNOTAVAIL'), '203.0.113.7', 8080)).toMatch(/203\.0\.113\.7 is not an address of this computer — give --listen one of its addresses, 0\.0\.0\.0/);
    expect(listenFailure(err('ENOTFOUND'), 'laptop.lan', 8080)).toMatch(/"laptop\.lan" is not an IP address, nor a name this computer resolves — give --listen/);
    expect(listenFailure(err('EACCES'), '0.0.0.0', 80)).toMatch(/ports below 1024 need administrator rights — choose another with --port/);
    expect(listenFailure(err('EACCES'), '0.0.0.0', 8080)).toBe('cannot listen on 0.0.0.0:8080: permission denied (EACCES)');
    expect(listenFailure(err('EWHATEVER', 'listen EWHATEVER: odd'), '0.0.0.0', 8080)).toBe('cannot listen on 0.0.0.0:8080: listen EWHATEVER: odd');
    // An IPv6 address in brackets, so its port stays readable.
    expect(listenFailure(err('EADDRNOTAVAIL'), '::2', 9620)).toMatch(/^cannot listen on \[::2\]:9620: ::2 is not an address of this computer/);
  });
});
