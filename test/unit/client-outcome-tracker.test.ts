// ClientOutcomeTracker, driven directly with the calls the TLS layer makes (handshake,
// serverFinished, firstData, error, closed) on fake time: exactly one outcome per
// connection, and which one depends on what happened when (docs/decisions.md "One client
// outcome per connection").
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientOutcomeTracker, DEFAULT_IDLE_WINDOW, idleWindowMs, type ClientOutcome } from '../../proxy/observe/client-outcome.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => vi.useRealTimers());

function tracker(): { t: ClientOutcomeTracker; outcomes: ClientOutcome[] } {
  const outcomes: ClientOutcome[] = [];
  const t = new ClientOutcomeTracker(performance.now(), DEFAULT_IDLE_WINDOW, (o) => outcomes.push(o));
  return { t, outcomes };
}

function alertError(code: number, name: string): Error {
  return Object.assign(new Error(`40E7B8F1E57F0000:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert ${name}:../ssl/record/rec_layer_s3.c:1605:SSL alert number ${code}`), { code: 'ERR_SSL_TLSV1_ALERT' });
}

describe('idle window', () => {
  it('is ten handshake times, at least 2 s, at most 10 s', () => {
    expect(idleWindowMs(5, DEFAULT_IDLE_WINDOW)).toBe(2000);
    expect(idleWindowMs(450, DEFAULT_IDLE_WINDOW)).toBe(4500);
    expect(idleWindowMs(5000, DEFAULT_IDLE_WINDOW)).toBe(10_000);
  });
});

describe('ClientOutcomeTracker', () => {
  it('first application byte after the handshake: accepted, with its timings', () => {
    const { t, outcomes } = tracker();
    vi.advanceTimersByTime(300);
    t.handshake();
    vi.advanceTimersByTime(40);
    t.firstData();
    t.closed();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ result: 'accepted', stage: null, timings: { handshakeMs: 300, firstByteMs: 340, closeMs: null, windowMs: 3000 } });
  });

  it('an alert during the handshake: rejected in the handshake, alert named', () => {
    const { t, outcomes } = tracker();
    t.error(alertError(48, 'unknown ca'));
    expect(outcomes).toEqual([expect.objectContaining({ result: 'rejected', stage: 'handshake', alert: 'unknown_ca', alertCode: 48 })]);
  });

  it('a close within the window after the handshake: rejected after the handshake (a pin)', () => {
    const { t, outcomes } = tracker();
    vi.advanceTimersByTime(10);
    t.handshake();
    vi.advanceTimersByTime(5);
    t.closed();
    expect(outcomes[0]).toMatchObject({ result: 'rejected', stage: 'after-handshake', timings: { closeMs: 15, windowMs: 2000 } });
    expect(outcomes[0]?.detail).toMatch(/after the handshake without sending data/);
  });

  it('neither data nor close within the window: inconclusive, once; a later close changes nothing', () => {
    const { t, outcomes } = tracker();
    vi.advanceTimersByTime(100);
    t.handshake();
    vi.advanceTimersByTime(1999);
    expect(outcomes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ result: 'inconclusive', detail: 'no data and no close within 2000 ms after the handshake', timings: { windowMs: 2000 } });
    t.closed();
    t.firstData();
    expect(outcomes).toHaveLength(1);
  });

  it('TLS 1.3: a close after our Finished but before the handshake event is after-handshake', () => {
    const { t, outcomes } = tracker();
    vi.advanceTimersByTime(20);
    t.serverFinished();
    vi.advanceTimersByTime(3);
    t.closed('ECONNRESET');
    expect(outcomes[0]).toMatchObject({ result: 'rejected', stage: 'after-handshake', timings: { handshakeMs: 20, closeMs: 23 } });
    expect(outcomes[0]?.detail).toMatch(/^client reset the connection without data or an alert after receiving the certificate/);
  });

  it("the proxy's own TLS limits and failures are inconclusive, never the client's refusal", () => {
    const a = tracker();
    a.t.error(new Error('40E7B8F1E57F0000:error:0A0000C1:SSL routines:tls_post_process_client_hello:no shared cipher:../deps/openssl/openssl/ssl/statem/statem_srvr.c:2283:'));
    expect(a.outcomes[0]).toMatchObject({ result: 'inconclusive', detail: 'the proxy could not complete the TLS handshake: no shared cipher' });
    const b = tracker();
    b.t.proxyFailed('could not build a certificate for x');
    expect(b.outcomes[0]).toMatchObject({ result: 'inconclusive', detail: 'could not build a certificate for x' });
  });

  it('a close before any handshake progress: rejected in the handshake', () => {
    const { t, outcomes } = tracker();
    t.error(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(outcomes[0]).toMatchObject({ result: 'rejected', stage: 'handshake', detail: 'client reset the connection before the handshake finished' });
  });
});
