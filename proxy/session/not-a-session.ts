// Says what a file holds when it is not a Pinprobe session, so `report` (a CI gate) and
// the UI refuse the wrong file with a line naming it, instead of "0 hosts" and a pass.
import { open } from 'node:fs/promises';
import type { ReadSessionResult } from './reader.js';

/** A session has a header or at least one event line; anything else is another file. */
export function isSession(read: ReadSessionResult): boolean {
  return read.header !== null || read.events.length > 0;
}

const SESSION_HEADER_UNREAD = 'its first line looks like a Pinprobe session header but could not be read';

// HAR has requests and answers but no TLS handshakes: nothing to judge. The UI opens one
// read-only to browse its traffic (proxy/session/har-import.ts).
const HAR_WORDS = 'it holds a HAR file (HTTP requests only: no TLS outcomes, so no verdicts; open it in the UI to browse its traffic)';

/** What the first bytes of a file look like, in words ("a PEM certificate", "empty"). */
export function describeContent(head: Buffer): string {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return head.length === 0 ? 'it is empty' : 'it holds only blank space';
  if (head.includes(0)) return 'it holds binary data';
  const pem = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
  if (pem) return `it holds a PEM ${pem[1]!.toLowerCase()}`;
  const first = text.trimStart();
  // Only the head is read: a big pretty-printed HAR does not parse from its first 4 KiB.
  if (/^\{\s*"log"\s*:/.test(first)) return HAR_WORDS;
  if (first.startsWith('{') || first.startsWith('[')) {
    // The whole head (one pretty-printed object), else its first line (JSON Lines).
    const whole = parseOrUndefined(text);
    const value = whole ?? parseOrUndefined(first.split('\n', 1)[0]!);
    if (Array.isArray(value)) return 'it holds a JSON array';
    if (typeof value === 'object' && value !== null) {
      const rec = value as Record<string, unknown>;
      if ('log' in rec) return HAR_WORDS;
      if (rec['schema'] === 'pinprobe.report/1') return 'it holds a Pinprobe JSON report, not the session it was made from';
      const keys = Object.keys(rec);
      if (typeof rec['type'] === 'string') {
        const type = JSON.stringify(rec['type'].slice(0, 40));
        // Every session starts with its header: only that says "Pinprobe" (an API's {"type":"error"} does not).
        if (rec['type'] === 'session') return SESSION_HEADER_UNREAD;
        return whole === undefined ? `it holds JSON lines (the first with "type" ${type}) that are not Pinprobe session lines` : `it holds one JSON object ("type" ${type}), not the JSON Lines of a Pinprobe session`;
      }
      return keys.length === 0 ? 'it holds an empty JSON object ({})' : `it holds a JSON object without a "type" (keys: ${keys.slice(0, 4).join(', ')})`;
    }
    return 'it holds JSON lines that are not Pinprobe session lines';
  }
  if (/^<\?xml|^<[a-z]/i.test(first)) return 'it holds XML or HTML';
  return 'it holds text that is not JSON Lines';
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The one-line refusal for `file`, or null when `read` is a session. */
export async function notASessionMessage(file: string, read: ReadSessionResult): Promise<string | null> {
  if (isSession(read)) return null;
  let head = Buffer.alloc(0);
  const handle = await open(file, 'r').catch(() => null);
  if (handle) {
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  const holds = describeContent(head);
  // Lines of ours that did not read: the reader's first reason says what is wrong with them.
  const why = holds === SESSION_HEADER_UNREAD && read.warnings[0] ? ` (${read.warnings[0]})` : '';
  return `${file} is not a Pinprobe session: ${holds}${why}; pass a .pinprobe.jsonl file that Pinprobe recorded`;
}
