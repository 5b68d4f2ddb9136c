// The feature seam without sockets: the EngineBus (ids, hooks, a failing listener), and
// each feature of the engine's list driven with recorded-shape events, asserting the
// decisions and events it produces (after mitmproxy's addon tests).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineBus, type ConnectTarget } from '../../proxy/engine-bus.js';
import { defaultFeatures } from '../../proxy/features/index.js';
import { SessionRecording } from '../../proxy/session/recording.js';
import { AutoPassthrough } from '../../proxy/features/auto-passthrough.js';
import { PassthroughRules } from '../../proxy/features/passthrough-rules.js';
import { ScenarioRotation } from '../../proxy/features/scenario-rotation.js';
import type { UpstreamPool } from '../../proxy/net/upstream.js';
import type { SessionEvent } from '../../proxy/session/events.js';
import { DEFAULT_SETTINGS } from '../../proxy/settings.js';
import { EventBuilder } from '../fixtures/events.js';

const target = (host: string, port = 443): ConnectTarget => ({ host, port, sni: host, clientAddress: '192.168.1.50' });

afterEach(() => vi.restoreAllMocks());

describe('EngineBus', () => {
  it('numbers ids per kind and continues after a recorded session', () => {
    const bus = new EngineBus();
    expect([bus.nextId('c'), bus.nextId('c'), bus.nextId('r')]).toEqual(['c1', 'c2', 'r1']);
    const b = new EventBuilder();
    b.tls({ host: 'a.example', scenario: 'trusted', result: 'accepted', id: 'c41' });
    const resumed = new EngineBus();
    resumed.seedIds(b.events);
    expect(resumed.nextId('c')).toBe('c42');
    expect(resumed.nextId('u')).toBe('u1');
  });

  it('asks tunnel hooks in order, the first reason wins', () => {
    const bus = new EngineBus();
    const asked: string[] = [];
    bus.hooks.tunnel.push((t) => (asked.push('a'), t.host === 'x.example' ? 'rule' : null), () => (asked.push('b'), 'auto'));
    expect(bus.tunnelReason(target('x.example'))).toBe('rule');
    expect(asked).toEqual(['a']);
    expect(bus.tunnelReason(target('y.example'))).toBe('auto');
  });

  it('keeps delivering when one listener throws, with a warning naming the event', () => {
    const bus = new EngineBus();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const got: string[] = [];
    bus.on(() => {
      throw new Error('boom');
    });
    bus.on((e) => got.push(e.type));
    bus.emit({ type: 'session-end', time: 't' });
    expect(got).toEqual(['session-end']);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/session-end event: boom/);
  });
});

describe('the feature list', () => {
  it('holds the four features in hook order', () => {
    const bus = new EngineBus();
    const features = defaultFeatures({ bus, settings: () => DEFAULT_SETTINGS, pool: () => ({}) as UpstreamPool });
    expect(features.map((f) => f.name)).toEqual(['passthrough-rules', 'auto-passthrough', 'scenario-rotation', 'mtls-prober']);
  });

  it('puts the session recording first, so every event is recorded before a feature reacts to it', () => {
    const bus = new EngineBus();
    const recording = new SessionRecording('/nonexistent/never-opened.jsonl');
    const features = defaultFeatures({ bus, settings: () => DEFAULT_SETTINGS, pool: () => ({}) as UpstreamPool, recording });
    expect(features.map((f) => f.name)).toEqual(['session-recording', 'passthrough-rules', 'auto-passthrough', 'scenario-rotation', 'mtls-prober']);
    // Not opened: events are kept in memory only, nothing is written.
    features[0]!.onEvent?.({ type: 'error', time: 't', id: null, message: 'x' });
    expect(recording.lines().map((l) => l.type)).toEqual(['error']);
  });
});

describe('PassthroughRules', () => {
  it('tunnels hosts matching a glob as "rule", reading the current globs each time', () => {
    let globs = ['*.apple.com'];
    const f = new PassthroughRules(() => globs);
    expect(f.tunnel(target('gs.apple.com'))).toBe('rule');
    expect(f.tunnel(target('example.com'))).toBeNull();
    globs = [];
    expect(f.tunnel(target('gs.apple.com'))).toBeNull();
  });
});

describe('ScenarioRotation', () => {
  it('gives trusted, the four bad scenarios, then trusted again, per host:port in any case', () => {
    const r = new ScenarioRotation(() => null);
    const picks = ['api.example', 'API.example', 'api.example', 'Api.Example', 'api.example', 'api.example'].map((h) => r.scenario(target(h)));
    expect(picks).toEqual(['trusted', 'self-signed', 'wrong-host', 'expired', 'untrusted-root', 'trusted']);
    expect(r.scenario(target('api.example', 8443))).toBe('trusted');
  });

  it('a forced scenario replaces the rotation; restore and reset move its place', () => {
    let forced: 'expired' | null = 'expired';
    const r = new ScenarioRotation(() => forced);
    expect(r.scenario(target('a.example'))).toBe('expired');
    forced = null;
    const b = new EventBuilder();
    b.tls({ host: 'a.example', scenario: 'trusted', result: 'accepted' });
    b.tls({ host: 'a.example', scenario: 'self-signed', result: 'rejected' });
    r.restore(b.events);
    expect(r.scenario(target('a.example'))).toBe('wrong-host');
    r.reset();
    expect(r.scenario(target('a.example'))).toBe('trusted');
  });
});

describe('AutoPassthrough', () => {
  function setup(enabled = true) {
    const bus = new EngineBus();
    const emitted: SessionEvent[] = [];
    bus.on((e) => emitted.push(e));
    const f = new AutoPassthrough(bus, () => enabled);
    return { f, emitted };
  }

  it('a trusted certificate refused in the handshake: tunnelled from then on, one passthrough line', () => {
    const { f, emitted } = setup();
    const b = new EventBuilder();
    for (const e of [b.tls({ host: 'app.bank.test', scenario: 'trusted', result: 'rejected', alert: 'certificate_unknown' })]) f.onEvent(e);
    expect(f.tunnel(target('APP.bank.test'))).toBe('auto');
    expect(emitted.map((e) => e.type)).toEqual(['passthrough']);
    expect(emitted[0]).toMatchObject({ host: 'app.bank.test', port: 443, reason: 'auto' });
  });

  it('refused after the handshake: one untrusted-root contrast connection first, then tunnelled', () => {
    const { f, emitted } = setup();
    const b = new EventBuilder();
    f.onEvent(b.tls({ host: 'pin.example', scenario: 'trusted', result: 'rejected', stage: 'after-handshake' }));
    expect(f.tunnel(target('pin.example'))).toBeNull();
    expect(f.scenario(target('pin.example'))).toBe('untrusted-root');
    expect(f.scenario(target('pin.example'))).toBeNull(); // once
    f.onEvent(b.tls({ host: 'pin.example', scenario: 'untrusted-root', result: 'rejected', alert: 'unknown_ca' }));
    expect(f.tunnel(target('pin.example'))).toBe('auto');
    expect(emitted).toHaveLength(1);
    expect((emitted[0] as { detail: string }).detail).toMatch(/untrusted-root then rejected/);
  });

  it('restoring a recorded session tunnels the same hosts without emitting again; off does nothing', () => {
    const { f, emitted } = setup();
    const b = new EventBuilder();
    b.tls({ host: 'app.bank.test', scenario: 'trusted', result: 'rejected' });
    f.restore(b.events);
    expect(f.tunnel(target('app.bank.test'))).toBe('auto');
    expect(emitted).toEqual([]);
    f.reset();
    expect(f.tunnel(target('app.bank.test'))).toBeNull();
    const off = setup(false);
    off.f.onEvent(b.events.find((e) => e.type === 'client-tls')!);
    expect(off.f.tunnel(target('app.bank.test'))).toBeNull();
  });
});
