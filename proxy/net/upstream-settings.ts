// Builds the upstream pool from the engine's settings: extra CAs read and checked, client
// certificates loaded (a bad file is an error naming the option), map-remote rules parsed.
import { readFile } from 'node:fs/promises';
import type { EngineSettings } from '../api/engine-port.js';
import { loadClientCert, specFromSetting } from './client-certs.js';
import { parseMapRemote, UpstreamPool } from './upstream.js';

export async function buildPool(settings: EngineSettings): Promise<UpstreamPool> {
  const extraCa = await Promise.all(
    settings.upstreamCa.map((file) =>
      readFile(file, 'utf8').then(
        (pem) => {
          if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--upstream-ca ${file}: not a PEM certificate file`);
          return pem;
        },
        (err: Error) => {
          throw new Error(`--upstream-ca ${file}: cannot read it (${err.message})`);
        },
      ),
    ),
  );
  const clientCerts = await Promise.all(settings.clientCerts.map((c) => loadClientCert(specFromSetting(c))));
  return new UpstreamPool({
    extraCa,
    insecure: settings.upstreamInsecure,
    mapRemote: settings.mapRemote.map((m) => parseMapRemote(`${m.from}=${m.to}`)),
    clientCerts,
  });
}

