// Which preview fits a recorded body, and the pure formatters behind each: an image (as a
// data: URL of the captured bytes), JSON (parsed, for the folding tree), a form
// (urlencoded pairs or multipart field names), text, and a hex dump only when nothing else
// fits. JWTs inside a body are found here too. No React, no DOM: unit-tested in Node.
import { jwtsInText, type DecodedJwt } from '../../../proxy/judge/jwt';
import type { BodyRecord } from '../api/types';
import { bodyBytes } from '../lib/bytes';

/** Images over this are not drawn (a data: URL that big stalls the pane); the size is said. */
export const IMAGE_CAP = 8 * 1024 * 1024;
/** Bodies over this are not parsed as JSON (the tree would take too long to build). */
export const JSON_CAP = 16 * 1024 * 1024;

export type Preview =
  | { kind: 'image'; mime: string; dataUrl: string }
  | { kind: 'image-too-big'; mime: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; fields: Array<[string, string]> }
  | { kind: 'multipart'; parts: MultipartPart[] }
  | { kind: 'text' }
  | { kind: 'hex' };

export interface MultipartPart {
  name: string | null;
  filename: string | null;
  type: string | null;
  /** Bytes of the part's content as recorded. */
  size: number;
  /** The value of a text field (no filename), else null. */
  value: string | null;
}

const IMAGE_TYPES = /^image\/(png|jpeg|jpg|gif|webp|avif|bmp|x-icon|vnd\.microsoft\.icon|svg\+xml)$/i;

function mimeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function param(contentType: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i').exec(contentType);
  return m ? (m[2] ?? m[1] ?? null) : null;
}

/** Image formats by their first bytes, for answers sent without (or with a wrong) Content-Type. */
export function sniffImage(bytes: Uint8Array): string | null {
  const at = (i: number, ...b: number[]) => b.every((v, k) => bytes[i + k] === v);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return null;
}

/** data: URL of the captured bytes (base64 stays as recorded; UTF-8 text, e.g. SVG, is encoded). */
export function imageDataUrl(body: BodyRecord, mime: string): string {
  if (body.encoding === 'base64') return `data:${mime};base64,${body.data}`;
  const bytes = bodyBytes(body);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${mime};base64,${btoa(bin)}`;
}

function decodeForm(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** `a=1&b=x%20y` as [name, value] pairs, order and repeats kept. */
export function parseUrlEncoded(text: string): Array<[string, string]> {
  return text
    .split('&')
    .filter((p) => p !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [decodeForm(pair), ''] : [decodeForm(pair.slice(0, eq)), decodeForm(pair.slice(eq + 1))];
    });
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

function utf8FromLatin1(s: string): string {
  return new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

/** multipart/form-data parts: names, file names, types, sizes; text fields' values. */
export function parseMultipart(bytes: Uint8Array, boundary: string): MultipartPart[] {
  // Latin-1 keeps every byte as one char, so binary file parts do not upset the split.
  const text = latin1(bytes);
  const delimiter = `--${boundary}`;
  const out: MultipartPart[] = [];
  for (const chunk of text.split(delimiter).slice(1)) {
    if (chunk.startsWith('--')) break; // the closing delimiter
    const body = chunk.replace(/^\r?\n/, '');
    const split = body.search(/\r?\n\r?\n/);
    const head = split < 0 ? body : body.slice(0, split);
    let content = split < 0 ? '' : body.slice(split).replace(/^\r?\n\r?\n/, '');
    content = content.replace(/\r?\n$/, '');
    const headers = new Map(
      head.split(/\r?\n/).flatMap((line) => {
        const c = line.indexOf(':');
        return c > 0 ? [[line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim()] as [string, string]] : [];
      }),
    );
    const disposition = headers.get('content-disposition') ?? '';
    const name = param(disposition, 'name');
    const filename = param(disposition, 'filename');
    out.push({
      name: name === null ? null : utf8FromLatin1(name),
      filename: filename === null ? null : utf8FromLatin1(filename),
      type: headers.get('content-type') ?? null,
      size: content.length,
      value: filename === null ? utf8FromLatin1(content) : null,
    });
  }
  return out;
}

function looksJson(mime: string, text: string): boolean {
  return /[/+]json$/.test(mime) || /^\s*[[{]/.test(text);
}

/** The preview that fits `body`, by Content-Type first and the bytes second. */
export function choosePreview(body: BodyRecord, contentType: string): Preview {
  const mime = mimeOf(contentType);
  const bytes = body.encoding === 'base64' ? bodyBytes(body) : null;
  const sniffed = bytes ? sniffImage(bytes) : null;
  // The bytes decide for the formats they identify (a "PNG" that is not one would draw as a
  // broken image); the Content-Type decides for the rest (SVG, AVIF, BMP, icons).
  const sniffable = /^image\/(png|jpe?g|gif|webp)$/.test(mime);
  const byType = IMAGE_TYPES.test(mime) && !sniffable && (bytes !== null || mime === 'image/svg+xml');
  const imageMime = sniffed ?? (byType ? mime : null);
  if (imageMime) {
    const size = bytes ? bytes.length : body.data.length;
    return size > IMAGE_CAP ? { kind: 'image-too-big', mime: imageMime } : { kind: 'image', mime: imageMime, dataUrl: imageDataUrl(body, imageMime) };
  }
  if (mime === 'multipart/form-data') {
    const boundary = param(contentType, 'boundary');
    if (boundary) {
      const parts = parseMultipart(bytes ?? bodyBytes(body), boundary);
      if (parts.length > 0) return { kind: 'multipart', parts };
    }
  }
  if (body.encoding === 'base64') return { kind: 'hex' };
  if (mime === 'application/x-www-form-urlencoded') {
    const fields = parseUrlEncoded(body.data.trim());
    if (fields.length > 0) return { kind: 'form', fields };
  }
  // A truncated body is not valid JSON: shown as text, with the cap said.
  if (looksJson(mime, body.data) && !body.truncated && body.data.length <= JSON_CAP) {
    try {
      return { kind: 'json', value: JSON.parse(body.data) as unknown };
    } catch {
      // not JSON after all: text
    }
  }
  return { kind: 'text' };
}

/** JWTs in a text body (an access token in a JSON answer, a form field), each once. */
export function jwtsInBody(body: BodyRecord, limit = 10): DecodedJwt[] {
  return body.encoding === 'utf8' ? jwtsInText(body.data, 'body', limit) : [];
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** "3 hours", "2 days", "45 seconds": the largest unit that fits, rounded down. */
export function durationWords(seconds: number): string {
  const s = Math.floor(Math.abs(seconds));
  if (s < 60) return plural(s, 'second');
  if (s < 3600) return plural(Math.floor(s / 60), 'minute');
  if (s < 86400) return plural(Math.floor(s / 3600), 'hour');
  if (s < 86400 * 365) return plural(Math.floor(s / 86400), 'day');
  return plural(Math.floor(s / (86400 * 365)), 'year');
}

/**
 * A JWT's expiry in words, relative to when the request was seen (the token may have been
 * valid then and long expired now): "expires 1 hour after it was sent (…Z), valid for 1 hour".
 */
export function jwtExpiryWords(claims: Record<string, unknown>, seenAtMs: number): string {
  const exp = typeof claims['exp'] === 'number' ? claims['exp'] : null;
  const iat = typeof claims['iat'] === 'number' ? claims['iat'] : null;
  if (exp === null) return 'no expiry (no exp claim): valid until the key changes';
  const at = new Date(exp * 1000).toISOString();
  const seen = Math.floor(seenAtMs / 1000);
  const rel = exp >= seen ? `expires ${durationWords(exp - seen)} after it was sent` : `had expired ${durationWords(seen - exp)} before it was sent`;
  const life = iat !== null ? `; issued for ${durationWords(exp - iat)}` : '';
  return `${rel} (exp ${at})${life}`;
}
