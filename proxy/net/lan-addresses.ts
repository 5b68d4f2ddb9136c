// Addresses a phone on the same network can reach the laptop at.
import { networkInterfaces } from 'node:os';
import { hostPort } from './authority.js';

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


/** True when the listen address accepts connections from this computer only. */
export function isLoopbackListen(listen: string): boolean {
  const l = listen.replace(/^\[|\]$/g, '').toLowerCase();
  return l === 'localhost' || l === '::1' || /^127\./.test(l) || l === '::ffff:127.0.0.1';
}

/**
 * The LAN addresses a phone can actually reach the proxy at, given where it listens:
 * none when it listens on loopback, only that one when it is bound to one address, the
 * IPv4 ones for 0.0.0.0 (Node binds IPv4 only then), all of them for "::".
 */
export function reachableAddresses(listen: string, lan: readonly string[]): string[] {
  if (isLoopbackListen(listen)) return [];
  if (listen === '::' || listen === '') return [...lan];
  if (listen === '0.0.0.0') return lan.filter((a) => !a.includes(':'));
  return [listen.replace(/^\[|\]$/g, '')];
}

/** What to tell a tester whose proxy listens on loopback only: what works, and how to open it. */
export function loopbackOnlyAdvice(listen: string, port: number): string[] {
  return [
    `The proxy listens on ${hostPort(listen, port)} only: this computer (and an emulator or USB phone through adb reverse) can reach it, a phone on Wi-Fi cannot.`,
    `  To use a phone on Wi-Fi, restart with --listen 0.0.0.0 (all networks) or --listen <this computer's LAN address>.`,
    `  Over USB (Android): adb reverse tcp:${port} tcp:${port}, then set the phone's proxy to 127.0.0.1:${port}.`,
  ];
}
