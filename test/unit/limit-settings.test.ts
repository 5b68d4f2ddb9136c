// The connection timeouts and limits are settings-table entries: CLI flags with documented
// defaults, control-API keys with structured errors, resolved to what the listener applies.
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { addProxyOptions, engineOptions, type ProxyCliOptions } from '../../proxy/cli-options.js';
import { checkPatch, DEFAULT_SETTINGS } from '../../proxy/settings.js';
import { SettingError } from '../../proxy/setting-error.js';
import { defaultMaxConnections, resolveLimits } from '../../proxy/net/conn-limits.js';

function parse(args: string[]): ProxyCliOptions {
  const cmd = addProxyOptions(new Command().exitOverride().configureOutput({ writeErr: () => undefined }));
  cmd.parse(args, { from: 'user' });
  return cmd.opts<ProxyCliOptions>();
}

function cliError(args: string[]): string {
  try {
    parse(args);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${args.join(' ')} was accepted`);
}

function patchProblem(patch: Record<string, unknown>): unknown {
  try {
    checkPatch(patch);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingError);
    return (err as SettingError).problem;
  }
  return null;
}

describe('timeouts and limits as settings', () => {
  it('have the documented defaults', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({
      idleTimeout: 30, handshakeTimeout: 10, headersTimeout: 30, upstreamTimeout: 30, tunnelIdleTimeout: 1800,
      maxConnections: null, maxConnectionsPerClient: null,
    });
    const auto = resolveLimits(DEFAULT_SETTINGS, defaultMaxConnections(1024));
    expect(auto).toEqual({
      idleTimeoutMs: 30_000, handshakeTimeoutMs: 10_000, headersTimeoutMs: 30_000, upstreamTimeoutMs: 30_000, tunnelIdleTimeoutMs: 1_800_000,
      maxConnections: 480, maxConnectionsPerClient: 240,
    });
  });

  it('take seconds (fractions too) and counts or auto on the command line', () => {
    const o = engineOptions(parse(['--idle-timeout', '0.5', '--handshake-timeout=3', '--headers-timeout', '12', '--upstream-timeout', '120',
      '--tunnel-idle-timeout', '90', '--max-connections', '300', '--max-connections-per-client', 'auto']), 't');
    expect(o.settings).toMatchObject({ idleTimeout: 0.5, handshakeTimeout: 3, headersTimeout: 12, upstreamTimeout: 120, tunnelIdleTimeout: 90, maxConnections: 300, maxConnectionsPerClient: null });
    expect(resolveLimits({ ...DEFAULT_SETTINGS, ...o.settings }, 999)).toMatchObject({ idleTimeoutMs: 500, upstreamTimeoutMs: 120_000, maxConnections: 300, maxConnectionsPerClient: 150 });
  });

  it('refuse bad command-line values with one line naming the option', () => {
    expect(cliError(['--idle-timeout', '0'])).toContain('--idle-timeout 0: must be a number of seconds above 0');
    expect(cliError(['--headers-timeout', '1e3'])).toContain('--headers-timeout 1e3: must be a number of seconds');
    expect(cliError(['--tunnel-idle-timeout', '100000'])).toContain('at most 86400');
    expect(cliError(['--upstream-timeout', '30s'])).toContain('--upstream-timeout 30s: must be a number of seconds');
    expect(cliError(['--max-connections', '-5'])).toContain('--max-connections -5: must be a whole number or auto');
    expect(cliError(['--max-connections-per-client', '0'])).toContain('--max-connections-per-client 0: must be a whole number from 1');
  });

  it('refuse bad control-API values with a structured problem naming the key', () => {
    expect(patchProblem({ idleTimeout: 2, maxConnections: 100, maxConnectionsPerClient: null })).toBeNull();
    expect(patchProblem({ idleTimeout: '30' })).toEqual({ key: 'idleTimeout', message: expect.stringContaining('number of seconds') });
    expect(patchProblem({ handshakeTimeout: -1 })).toMatchObject({ key: 'handshakeTimeout' });
    expect(patchProblem({ tunnelIdleTimeout: Number.POSITIVE_INFINITY })).toMatchObject({ key: 'tunnelIdleTimeout' });
    expect(patchProblem({ upstreamTimeout: 0 })).toMatchObject({ key: 'upstreamTimeout' });
    expect(patchProblem({ maxConnections: 2.5 })).toEqual({ key: 'maxConnections', message: expect.stringContaining('whole number') });
    expect(patchProblem({ maxConnectionsPerClient: 0 })).toMatchObject({ key: 'maxConnectionsPerClient' });
  });
});
