// Devices the tester declared to have Pinprobe's CA in their *system* store
// (`--device-trusts-ca`, the UI's Setup devices list), read from the session's
// `device-trust` lines: the last line per entry wins, so withdrawing one re-judges too.
import net from 'node:net';
import type { SessionEvent } from '../session/events.js';

/** "192.168.1.50", "::1", "192.168.1.0/24", "fd00::/64"; null when it is neither. */
export function parseDeviceSpec(spec: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', bits, extra] = spec.trim().split('/');
  if (extra !== undefined) return null;
  const v = net.isIP(address);
  if (v === 0) return null;
  const max = v === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { address, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** Throws a one-line error naming the option when spec is neither an address nor a CIDR. */
export function checkDeviceSpec(spec: string): void {
  if (!parseDeviceSpec(spec)) throw new Error(`--device-trusts-ca ${spec}: not an IP address or CIDR (e.g. 192.168.1.50, 192.168.1.0/24, fd00::/64)`);
}

export class DeviceTrust {
  private constructor(private readonly entries: ReadonlyArray<{ spec: string; list: net.BlockList }>) {}

  static of(specs: readonly string[]): DeviceTrust {
    const entries: Array<{ spec: string; list: net.BlockList }> = [];
    for (const spec of specs) {
      const parsed = parseDeviceSpec(spec);
      if (!parsed) continue; // a hand-edited file: an unusable entry declares nothing
      const list = new net.BlockList();
      list.addSubnet(parsed.address, parsed.prefix, parsed.family);
      entries.push({ spec, list });
    }
    return new DeviceTrust(entries);
  }

  static fromEvents(events: readonly SessionEvent[]): DeviceTrust {
    const state = new Map<string, boolean>();
    for (const e of events) if (e.type === 'device-trust') state.set(e.device.trim(), e.trustsCa === true);
    return DeviceTrust.of([...state].filter(([, on]) => on).map(([spec]) => spec));
  }

  get specs(): string[] {
    return this.entries.map((e) => e.spec);
  }

  /** The declared entry covering this client address, or null. */
  covering(address: string): string | null {
    const bare = address.startsWith('::ffff:') ? address.slice(7) : address;
    const family = net.isIP(bare) === 6 ? 'ipv6' : 'ipv4';
    if (net.isIP(bare) === 0) return null;
    return this.entries.find((e) => e.list.check(bare, family))?.spec ?? null;
  }
}
