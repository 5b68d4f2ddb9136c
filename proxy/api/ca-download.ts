// The root CA certificate as a download (never the key: the engine exports certificates only).
import type { CaFormat, EngineControl } from './engine-port.js';
import { HttpError } from './http-util.js';

const CA_FORMATS: readonly CaFormat[] = ['pem', 'der', 'android', 'ios'];

export function caDownload(engine: EngineControl, format: string | null): { data: Buffer; fileName: string; contentType: string } {
  const f = (format ?? 'pem') as CaFormat;
  if (!CA_FORMATS.includes(f)) {
    throw new HttpError(400, `format must be one of ${CA_FORMATS.join(', ')} (got "${format}")`);
  }
  return engine.exportCa(f);
}
