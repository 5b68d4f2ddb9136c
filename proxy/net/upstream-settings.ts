// Builds the upstream pool from the engine's settings: extra CAs read and checked, client
// certificates loaded (a bad file is an error naming the option), map-remote rules parsed.
// Every problem is a SettingError naming the setting and list entry it is about.
import { readFile } from 'node:fs/promises';
import type { EngineSettings } from '../settings-types.js';
import { SettingError } from '../setting-error.js';
import { loadClientCert, specFromSetting } from './client-certs.js';
import { parseMapRemote, UpstreamPool } from './upstream.js';

function caProblem(file: string, index: number, message: string): SettingError {
  return new SettingError({ key: 'upstreamCa', index, message }, `--upstream-ca ${file}: ${message}`);
}

function mapRemoteEntry(spec: string, index: number): ReturnType<typeof parseMapRemote> {
  try {
    return parseMapRemote(spec);
  } catch (err) {
    // parseMapRemote words its errors for the CLI: `--map-remote SPEC: what`.
    const line = (err as Error).message;
    const prefix = `--map-remote ${spec}: `;
    throw new SettingError({ key: 'mapRemote', index, message: line.startsWith(prefix) ? line.slice(prefix.length) : line }, line);
  }
}

export async function buildPool(settings: EngineSettings): Promise<UpstreamPool> {
  const extraCa = await Promise.all(
    settings.upstreamCa.map((file, i) =>
      readFile(file, 'utf8').then(
        (pem) => {
          if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw caProblem(file, i, 'not a PEM certificate file');
          return pem;
        },
        (err: Error) => {
          throw caProblem(file, i, `cannot read it (${err.message})`);
        },
      ),
    ),
  );
  const clientCerts = await Promise.all(
    settings.clientCerts.map((c, i) =>
      loadClientCert(specFromSetting(c)).catch((err: unknown) => {
        throw err instanceof SettingError ? err.at(i) : err;
      }),
    ),
  );
  return new UpstreamPool({
    extraCa,
    insecure: settings.upstreamInsecure,
    mapRemote: settings.mapRemote.map((m, i) => mapRemoteEntry(`${m.from}=${m.to}`, i)),
    clientCerts,
  });
}
