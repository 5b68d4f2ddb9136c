// Which setting an engine error is about, so the UI can show it next to that field. The
// engine rejects a settings patch with one message naming the bad value (its CLI option
// and spec, e.g. `--client-cert api.example.com=/x/cert.pem: cannot read certificate
// file /x/cert.pem (no such file)`); this maps it back onto the patch that was sent.
import type { EngineSettings } from './engine-port.js';

const CLI_OPTION: Record<string, keyof EngineSettings> = {
  '--client-cert': 'clientCerts',
  '--upstream-ca': 'upstreamCa',
  '--map-remote': 'mapRemote',
  '--passthrough': 'passthrough',
  '--scenario': 'scenario',
  '--expect-mtls': 'expectMtls',
  '--device-trusts-ca': 'deviceTrustsCa',
};

function settingKey(patch: Partial<EngineSettings>, message: string): keyof EngineSettings | undefined {
  const keys = Object.keys(patch) as Array<keyof EngineSettings>;
  const named = keys.find((k) => message.startsWith(`${k}:`) || message.startsWith(`${k} `));
  if (named) return named;
  const option = /^(--[a-z-]+)\b/.exec(message)?.[1];
  const fromOption = option ? CLI_OPTION[option] : undefined;
  if (fromOption && keys.includes(fromOption)) return fromOption;
  return keys.length === 1 ? keys[0] : undefined;
}

function clientCertField(certs: EngineSettings['clientCerts'], message: string): string {
  const lower = message.toLowerCase();
  let row = certs.findIndex((c) => c.cert !== '' && lower.includes(`${c.host.trim().toLowerCase()}=${c.cert.toLowerCase()}`));
  if (row < 0) row = certs.findIndex((c) => (c.cert !== '' && message.includes(c.cert)) || (c.key !== undefined && c.key !== '' && message.includes(c.key)));
  if (row < 0) return 'clientCerts';
  const c = certs[row]!;
  // What follows the spec label ("HOST=CERT[,KEY]: ") says which part is wrong.
  const labelEnd = `${c.key && c.key !== c.cert ? c.key : c.cert}: `;
  const at = message.indexOf(labelEnd);
  const detail = at >= 0 ? message.slice(at + labelEnd.length) : message;
  let part = 'cert';
  if (/is not a host name or glob/.test(detail)) part = 'host';
  else if (/password|passphrase|mac verify/i.test(detail)) part = 'passphrase';
  else if (c.key && c.key !== c.cert && detail.includes(c.key) && !detail.includes(c.cert)) part = 'key';
  return `clientCerts.${row}.${part}`;
}

/**
 * The message without its `--option SPEC: ` prefix, for showing next to the field (which
 * already shows the spec); the whole message when it has no such prefix.
 */
export function settingErrorDetail(patch: Partial<EngineSettings>, message: string): string {
  const option = /^--[a-z-]+ /.exec(message);
  if (!option) return message;
  const specs: string[] = [
    ...(patch.clientCerts ?? []).map((c) => (c.key && c.key !== c.cert ? `${c.cert},${c.key}` : c.cert)),
    ...(patch.upstreamCa ?? []),
    ...(patch.mapRemote ?? []).map((r) => `${r.from}=${r.to}`),
  ].filter((v) => v !== '');
  for (const spec of specs) {
    const at = message.indexOf(`${spec}: `);
    if (at >= 0) return message.slice(at + spec.length + 2);
  }
  return message;
}

/** A field path such as `clientCerts.0.cert`, `mapRemote.1` or `upstreamCa`; undefined when unsure. */
export function settingErrorField(patch: Partial<EngineSettings>, message: string): string | undefined {
  const key = settingKey(patch, message);
  if (key === undefined) return undefined;
  if (key === 'clientCerts' && patch.clientCerts) return clientCertField(patch.clientCerts, message);
  if (key === 'mapRemote' && patch.mapRemote) {
    const i = patch.mapRemote.findIndex((r) => message.includes(`${r.from}=${r.to}`));
    return i >= 0 ? `mapRemote.${i}` : key;
  }
  return key;
}
