// The Traffic filter language (docs/ui.md "Filtering Traffic"). Words are ANDed; a word is
// free text (matched in the URL, headers and captured bodies), or `key:value`:
//   host:api.example.com  host:*.example.com   method:POST      status:404  status:4xx  status:>=500
//   scenario:expired      verdict:rejected     has:body  has:response  has:ws   is:cleartext  is:resent
// A leading `-` negates a word; "double quotes" keep spaces in one word. Unknown keys are
// free text, so a URL with a colon still matches as typed.
import type { BodyRecord, RequestEvent, ResponseEvent } from '../api/types';
import type { RequestRow, TrafficRow } from './traffic-rows';
import { hostGlobMatch } from '../../../proxy/host-glob';

type TrafficRowMessages = RequestRow['messages'];

export interface FilterTerm {
  negate: boolean;
  key: 'text' | 'host' | 'method' | 'status' | 'scenario' | 'verdict' | 'has' | 'is';
  value: string;
}

const KEYS = new Set(['host', 'method', 'status', 'scenario', 'verdict', 'has', 'is']);

/** Splits on spaces outside double quotes; `-` before a word (or its quote) negates it. */
export function parseFilter(input: string): FilterTerm[] {
  const out: FilterTerm[] = [];
  const re = /(-?)(?:"([^"]*)"?|(\S+))/g;
  for (let m = re.exec(input); m; m = re.exec(input)) {
    const negate = m[1] === '-';
    const quoted = m[2];
    let word = quoted ?? m[3] ?? '';
    if (word === '' || (negate && word === '-')) continue;
    let key: FilterTerm['key'] = 'text';
    if (quoted === undefined) {
      const colon = word.indexOf(':');
      const k = colon > 0 ? word.slice(0, colon).toLowerCase() : '';
      if (KEYS.has(k)) {
        key = k as FilterTerm['key'];
        word = word.slice(colon + 1).replace(/^"|"$/g, '');
      }
    }
    out.push({ negate, key, value: word.toLowerCase() });
  }
  return out;
}

function statusMatches(status: number | null, spec: string): boolean {
  if (status === null) return spec === 'none' || spec === 'pending';
  const cls = /^([1-5])xx$/.exec(spec);
  if (cls) return Math.floor(status / 100) === Number(cls[1]);
  const cmp = /^(>=|<=|>|<)(\d{3})$/.exec(spec);
  if (cmp) {
    const n = Number(cmp[2]);
    return cmp[1] === '>=' ? status >= n : cmp[1] === '<=' ? status <= n : cmp[1] === '>' ? status > n : status < n;
  }
  return String(status) === spec;
}

function bodyText(b: BodyRecord | undefined): string {
  if (!b || b.size === 0 || b.data === '') return '';
  // Base64 bodies are binary: free text does not search them.
  if (b.encoding === 'base64') return '';
  return b.data;
}

function headerText(h: Array<[string, string]> | undefined): string {
  return (h ?? []).map(([k, v]) => `${k}: ${v}`).join('\n');
}

/** Lower-cased text free words match, cached per row (bodies included while in memory). */
const textCache = new WeakMap<object, { version: unknown; text: string }>();

function requestText(req: RequestEvent, res: ResponseEvent | null): string {
  return [req.method, req.url, req.clientAddress, headerText(req.headers), bodyText(req.body), res ? `${res.status} ${res.statusText ?? ''}` : '', res ? headerText(res.headers) : '', res ? bodyText(res.body) : '']
    .join('\n')
    .toLowerCase();
}

/** A WebSocket's text messages (both ways) are searched like bodies. */
function messagesText(messages: TrafficRowMessages): string {
  if (messages.length === 0) return '';
  return `\n${messages.map((m) => (m.opcode === 1 ? bodyText(m.body) : '')).join('\n').toLowerCase()}`;
}

export function rowText(row: TrafficRow): string {
  const version = row.kind === 'connection' ? `${row.tls?.result}|${row.closed ? 1 : 0}` : `${row.response ? 1 : 0}|${row.request.evicted ? 1 : 0}|${row.response?.evicted ? 1 : 0}|${row.messages.length}`;
  const hit = textCache.get(row);
  if (hit && hit.version === version) return hit.text;
  const text =
    row.kind === 'connection'
      ? `connect ${row.conn.target.host}:${row.conn.target.port} ${row.conn.client.address} ${row.conn.mode} ${row.conn.scenario ?? ''} ${row.tls?.result ?? ''} ${row.tls?.alert ?? ''} ${row.tls?.sni ?? ''}`.toLowerCase()
      : requestText(row.request, row.response) + messagesText(row.messages);
  textCache.set(row, { version, text });
  return text;
}

function scenarioOf(row: TrafficRow): string {
  return (row.kind === 'connection' ? row.conn.scenario : row.connection?.conn.scenario) ?? (row.kind === 'request' && row.request.scheme === 'http' ? 'cleartext' : '');
}

function termMatches(row: TrafficRow, t: FilterTerm): boolean {
  switch (t.key) {
    case 'text':
      return rowText(row).includes(t.value);
    case 'host': {
      const target = row.kind === 'connection' ? row.conn.target : row.request;
      const name = target.host.toLowerCase();
      // Globs mean what they mean on the command line (--passthrough, --client-cert).
      if (t.value.includes('*')) return hostGlobMatch(t.value, name, target.port);
      return name === t.value || `${name}:${target.port}` === t.value || name.endsWith(`.${t.value}`);
    }
    case 'method':
      return row.kind === 'request' ? row.request.method.toLowerCase() === t.value : t.value === 'connect' && row.conn.mode !== 'plain';
    case 'status':
      return row.kind === 'request' && statusMatches(row.response?.status ?? null, t.value);
    case 'scenario':
      return scenarioOf(row) === t.value;
    case 'verdict': {
      // The client's TLS outcome on the row's connection: accepted / rejected / inconclusive.
      const tls = row.kind === 'connection' ? row.tls : row.connection?.tls;
      if (t.value === 'tunnel' || t.value === 'tunnelled') return (row.kind === 'connection' ? row.conn.mode : row.connection?.conn.mode) === 'tunnel';
      return tls?.result === t.value;
    }
    case 'has':
      if (t.value === 'body') return row.kind === 'request' && (row.request.body.size > 0 || (row.response?.body.size ?? 0) > 0);
      if (t.value === 'response') return row.kind === 'request' && row.response !== null;
      if (t.value === 'ws' || t.value === 'websocket') return row.kind === 'request' && row.websocket !== null;
      if (t.value === 'alert') return Boolean((row.kind === 'connection' ? row.tls : row.connection?.tls)?.alert);
      return false;
    case 'is':
      if (t.value === 'cleartext' || t.value === 'http') return row.kind === 'request' ? row.request.scheme === 'http' : row.conn.mode === 'plain';
      if (t.value === 'connection') return row.kind === 'connection';
      if (t.value === 'request') return row.kind === 'request';
      if (t.value === 'resent') return row.kind === 'request' && row.request.resend !== undefined;
      return false;
  }
}

export function rowMatches(row: TrafficRow, terms: readonly FilterTerm[]): boolean {
  for (const t of terms) if (termMatches(row, t) === t.negate) return false;
  return true;
}

/** The rows matching `input` (all of them for an empty filter). */
export function filterRows(rows: readonly TrafficRow[], input: string): TrafficRow[] {
  const terms = parseFilter(input);
  if (terms.length === 0) return rows.slice();
  return rows.filter((r) => rowMatches(r, terms));
}
