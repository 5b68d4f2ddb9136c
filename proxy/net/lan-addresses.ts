// Addresses a phone on the same network can reach the laptop at.
import { networkInterfaces } from 'node:os';

export function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.internal) continue;
      // Link-local IPv6 needs a zone id that a phone's proxy field cannot take.
      if (info.family === 'IPv6' && info.address.startsWith('fe80')) continue;
      out.push(info.address);
    }
  }
  // IPv4 first: that is what a phone's proxy settings usually want.
  return out.sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));
}

export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
