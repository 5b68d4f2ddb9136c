// The minimum shape each recorded line must have before the judge, the reports and the UI
// dereference it. A session file can come from anywhere (a colleague, a bug report), so a
// line of the wrong shape is skipped with a warning rather than trusted.
import { SCENARIOS } from './events.js';

type Rec = Record<string, unknown>;

const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPeer = (v: unknown) => isObj(v) && isStr(v['address'] ?? v['host']) && isNum(v['port']);
const isHeaders = (v: unknown) => Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && isStr(p[0]) && isStr(p[1]));
const isBody = (v: unknown) =>
  isObj(v) && isNum(v['size']) && (v['encoding'] === 'utf8' || v['encoding'] === 'base64') && isStr(v['data']) && typeof v['truncated'] === 'boolean';
const oneOf = (v: unknown, values: readonly string[]) => isStr(v) && values.includes(v);

/** field name -> check, per event type; only what readers rely on. */
const SHAPES: Record<string, Record<string, (v: unknown) => boolean>> = {
  connection: { id: isStr, client: isPeer, target: isPeer, mode: (v) => oneOf(v, ['intercept', 'tunnel', 'plain']) },
  'client-tls': {
    id: isStr, host: isStr, port: isNum, clientAddress: isStr,
    scenario: (v) => oneOf(v, SCENARIOS), result: (v) => oneOf(v, ['accepted', 'rejected', 'inconclusive']),
    fingerprint: (v) => v === undefined || v === null || (isObj(v) && isStr(v['ja4']) && isStr(v['ja3'])),
  },
  'device-trust': { device: isStr, trustsCa: (v) => typeof v === 'boolean' },
  settings: { options: isObj },
  request: { id: isStr, conn: isStr, scheme: (v) => oneOf(v, ['http', 'https']), method: isStr, url: isStr, host: isStr, port: isNum, headers: isHeaders, body: isBody },
  response: { id: isStr, status: isNum, headers: isHeaders, body: isBody },
  websocket: { id: isStr, conn: isStr, url: isStr, status: isNum },
  'ws-message': { ws: isStr, request: isStr, direction: (v) => oneOf(v, ['send', 'receive']), opcode: isNum, body: isBody },
  upstream: { id: isStr, host: isStr, port: isNum, probe: (v) => typeof v === 'boolean', outcome: (v) => oneOf(v, ['answered', 'tls-alert', 'reset', 'error']) },
  passthrough: { host: isStr, port: isNum },
  close: { id: isStr },
  error: { message: isStr },
  'session-end': {},
};

/** What is wrong with a known event line, or null when it can be used. */
export function shapeProblem(type: string, record: Rec): string | null {
  const shape = SHAPES[type];
  if (!shape) return null;
  for (const [field, ok] of Object.entries(shape)) {
    if (!ok(record[field])) return `a "${type}" event with a missing or malformed "${field}"`;
  }
  return null;
}

/** A header whose options are unusable is treated as absent (defaults apply). */
export function headerProblem(record: Rec): string | null {
  if (!isStr(record['time'])) return 'a session header without a "time"';
  const options = record['options'];
  if (options !== undefined && !isObj(options)) return 'a session header with malformed "options"';
  return null;
}
