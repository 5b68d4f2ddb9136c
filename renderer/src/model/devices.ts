// Client addresses the session has seen, so Setup can say "new device 192.168.1.50"
// the moment a phone's first request arrives.
import type { SessionLine } from '../api/types';

export interface Device {
  address: string;
  firstSeen: string;
  connections: number;
  /** Seen first while this page was open (not in the replay at load). */
  fresh: boolean;
}

export class DeviceModel {
  readonly devices = new Map<string, Device>();

  add(line: SessionLine, live: boolean): Device | null {
    // Requests Pinprobe sent itself (backend checks, resends) come from no device.
    if (line.type === 'request' && (line.check || line.resend)) return null;
    const address = line.type === 'connection' ? line.client.address : line.type === 'request' ? line.clientAddress : null;
    if (address === null) return null;
    const known = this.devices.get(address);
    if (known) {
      if (line.type === 'connection') known.connections += 1;
      return null;
    }
    const device: Device = { address, firstSeen: line.time, connections: line.type === 'connection' ? 1 : 0, fresh: live };
    this.devices.set(address, device);
    return device;
  }
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}
