// "Copy as curl": the recorded request as a shell command, replayed directly or — with
// `via` — through Pinprobe (`--proxy` and `--cacert` its root CA), so the replay is
// intercepted, judged and recorded like the app's own request. Headers curl sets itself
// are left out.
import type { RequestEvent } from '../api/types';

const SKIP = new Set(['host', 'content-length', 'connection', 'proxy-connection', 'accept-encoding', 'transfer-encoding']);

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Where Pinprobe's proxy is and its root CA file, for a replay through it. */
export interface CurlVia {
  proxy: string;
  cacert: string;
}

export function toCurl(request: RequestEvent, via?: CurlVia | null): string {
  const parts = ['curl'];
  if (via) {
    parts.push('--proxy', shellQuote(via.proxy));
    if (/^https:/i.test(request.url)) parts.push('--cacert', shellQuote(via.cacert));
  }
  // Both come from the session line, which may be a hostile file: the method is quoted like
  // everything else, and a URL that is not http(s) goes after --url so curl never reads
  // it as an option (e.g. `-K/dev/stdin`).
  if (request.method !== 'GET' || request.body.size > 0) parts.push('-X', shellQuote(request.method));
  if (/^https?:\/\//i.test(request.url)) parts.push(shellQuote(request.url));
  else parts.push('--url', shellQuote(request.url));
  for (const [name, value] of request.headers) {
    if (!SKIP.has(name.toLowerCase())) parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (request.body.size > 0) {
    if (request.body.encoding === 'utf8') {
      parts.push('--data-binary', shellQuote(request.body.data));
    } else {
      return `printf %s ${shellQuote(request.body.data)} | base64 -d | ${parts.join(' ')} --data-binary @-`;
    }
  }
  return parts.join(' ');
}

/** Clipboard API when allowed (loopback is a secure context), else a hidden textarea. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    if (!ok) throw new Error('the browser refused clipboard access; select the text and copy it by hand');
  }
}
