// What the Setup view shows: the proxy's LAN addresses, the onboarding URL and its QR
// code, and the CA downloads per platform.
import QRCode from 'qrcode';
import { isLoopbackListen, reachableAddresses } from '../net/lan-addresses.js';
import type { CaFormat, EngineControl } from './engine-port.js';
import { ONBOARDING_HOST } from '../onboarding/host.js';
import type { OnboardingInfo } from './protocol.js';
import { hostPort } from '../net/authority.js';

export type { CaDownload, OnboardingInfo } from './protocol.js';

export async function onboardingInfo(engine: EngineControl): Promise<OnboardingInfo> {
  const status = engine.status();
  const reachable = reachableAddresses(status.listen, status.lanAddresses);
  const ordered = [...reachable.filter((a) => !a.includes(':')), ...reachable.filter((a) => a.includes(':'))];
  const proxyAddresses = ordered.map((a) => hostPort(a, status.port));
  const url = proxyAddresses[0] ? `http://${proxyAddresses[0]}/` : null;
  const reservedUrl = `http://${ONBOARDING_HOST}/`;
  const qrTarget = url ?? reservedUrl;
  const svg = await QRCode.toString(qrTarget, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
  const file = (format: CaFormat): string => engine.exportCa(format).fileName;
  return {
    running: status.running,
    proxyPort: status.port,
    proxyAddresses,
    loopbackOnly: isLoopbackListen(status.listen),
    listenAddress: hostPort(status.listen, status.port),
    url,
    reservedUrl,
    qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    qrTarget,
    caSubject: status.caSubject,
    downloads: [
      { platform: 'android', label: 'Android — user store (DER)', href: '/api/ca?format=der', fileName: file('der') },
      { platform: 'android-system', label: 'Android system store (hash-named)', href: '/api/ca?format=android', fileName: file('android') },
      { platform: 'ios', label: 'iPhone / iPad profile', href: '/api/ca?format=ios', fileName: file('ios') },
      { platform: 'pem', label: 'PEM (desktop, curl, emulators)', href: '/api/ca?format=pem', fileName: file('pem') },
    ],
  };
}
