// Recorded bodies as bytes and as a hex dump (bodies that are not UTF-8 are base64).
import type { BodyRecord } from '../api/types';

export function bodyBytes(body: BodyRecord): Uint8Array {
  if (body.encoding === 'utf8') return new TextEncoder().encode(body.data);
  const bin = atob(body.data);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** `00000000  7b 22 61 …  |{"a…|` rows, 16 bytes each. */
export function hexDump(bytes: Uint8Array, limit: number): string {
  const rows: string[] = [];
  const end = Math.min(bytes.length, limit);
  for (let offset = 0; offset < end; offset += 16) {
    const slice = bytes.subarray(offset, Math.min(offset + 16, end));
    const hex = Array.from(slice, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(slice, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    rows.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  |${ascii}|`);
  }
  return rows.join('\n');
}
