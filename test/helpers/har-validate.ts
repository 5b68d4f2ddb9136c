// Checks a HAR document against the HAR 1.2 field requirements (the spec's required fields
// and their types), plus the shape of Chrome's `_webSocketMessages` when present. Returns
// every problem as "path: what is wrong", so a test can `expect(harProblems(x)).toEqual([])`
// and see all of them at once. Used on every HAR Pinprobe writes in tests.

type Rec = Record<string, unknown>;

const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

class Checker {
  readonly problems: string[] = [];

  obj(v: unknown, path: string): Rec | null {
    if (isObj(v)) return v;
    this.problems.push(`${path}: expected an object, got ${JSON.stringify(v)?.slice(0, 60)}`);
    return null;
  }

  arr(v: unknown, path: string): unknown[] {
    if (Array.isArray(v)) return v;
    this.problems.push(`${path}: expected an array`);
    return [];
  }

  str(o: Rec, key: string, path: string, optional = false): void {
    if (optional && o[key] === undefined) return;
    if (typeof o[key] !== 'string') this.problems.push(`${path}.${key}: expected a string, got ${JSON.stringify(o[key])}`);
  }

  num(o: Rec, key: string, path: string, opts: { optional?: boolean; min?: number; integer?: boolean } = {}): void {
    const v = o[key];
    if (opts.optional && v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) return void this.problems.push(`${path}.${key}: expected a number, got ${JSON.stringify(v)}`);
    if (opts.integer && !Number.isInteger(v)) this.problems.push(`${path}.${key}: expected an integer, got ${v}`);
    if (opts.min !== undefined && v < opts.min) this.problems.push(`${path}.${key}: ${v} is below ${opts.min}`);
  }

  bool(o: Rec, key: string, path: string): void {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') this.problems.push(`${path}.${key}: expected a boolean`);
  }

  nameValues(v: unknown, path: string): void {
    this.arr(v, path).forEach((item, i) => {
      const o = this.obj(item, `${path}[${i}]`);
      if (!o) return;
      this.str(o, 'name', `${path}[${i}]`);
      this.str(o, 'value', `${path}[${i}]`);
      this.str(o, 'comment', `${path}[${i}]`, true);
    });
  }

  cookies(v: unknown, path: string): void {
    this.arr(v, path).forEach((item, i) => {
      const p = `${path}[${i}]`;
      const o = this.obj(item, p);
      if (!o) return;
      this.str(o, 'name', p);
      this.str(o, 'value', p);
      for (const k of ['path', 'domain', 'expires', 'comment']) this.str(o, k, p, true);
      if (typeof o['expires'] === 'string' && !ISO.test(o['expires'])) this.problems.push(`${p}.expires: not an ISO 8601 date`);
      this.bool(o, 'httpOnly', p);
      this.bool(o, 'secure', p);
    });
  }
}

function checkRequest(c: Checker, v: unknown, path: string): void {
  const r = c.obj(v, path);
  if (!r) return;
  c.str(r, 'method', path);
  c.str(r, 'url', path);
  if (typeof r['url'] === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(r['url'])) c.problems.push(`${path}.url: not an absolute URL`);
  c.str(r, 'httpVersion', path);
  c.cookies(r['cookies'], `${path}.cookies`);
  c.nameValues(r['headers'], `${path}.headers`);
  c.nameValues(r['queryString'], `${path}.queryString`);
  c.num(r, 'headersSize', path, { integer: true, min: -1 });
  c.num(r, 'bodySize', path, { integer: true, min: -1 });
  if (r['postData'] !== undefined) {
    const p = c.obj(r['postData'], `${path}.postData`);
    if (p) {
      c.str(p, 'mimeType', `${path}.postData`);
      // HAR 1.2: text and params are mutually exclusive in the spec text, but both are
      // required by most readers; accept either, require at least one.
      if (p['text'] === undefined && p['params'] === undefined) c.problems.push(`${path}.postData: neither text nor params`);
      c.str(p, 'text', `${path}.postData`, true);
      if (p['params'] !== undefined) c.nameValues(p['params'], `${path}.postData.params`);
    }
  }
}

function checkResponse(c: Checker, v: unknown, path: string): void {
  const r = c.obj(v, path);
  if (!r) return;
  c.num(r, 'status', path, { integer: true, min: 0 });
  c.str(r, 'statusText', path);
  c.str(r, 'httpVersion', path);
  c.cookies(r['cookies'], `${path}.cookies`);
  c.nameValues(r['headers'], `${path}.headers`);
  const content = c.obj(r['content'], `${path}.content`);
  if (content) {
    c.num(content, 'size', `${path}.content`, { integer: true, min: -1 });
    c.str(content, 'mimeType', `${path}.content`);
    c.str(content, 'text', `${path}.content`, true);
    c.num(content, 'compression', `${path}.content`, { optional: true });
    if (content['encoding'] !== undefined && content['encoding'] !== 'base64') c.problems.push(`${path}.content.encoding: only "base64" is defined`);
  }
  c.str(r, 'redirectURL', path);
  c.num(r, 'headersSize', path, { integer: true, min: -1 });
  c.num(r, 'bodySize', path, { integer: true, min: -1 });
}

function checkTimings(c: Checker, v: unknown, path: string): number | null {
  const t = c.obj(v, path);
  if (!t) return null;
  for (const k of ['send', 'wait', 'receive']) c.num(t, k, path, { min: 0 });
  for (const k of ['blocked', 'dns', 'connect', 'ssl']) c.num(t, k, path, { optional: true, min: -1 });
  const sum = ['blocked', 'dns', 'connect', 'send', 'wait', 'receive']
    .map((k) => t[k])
    .filter((x): x is number => typeof x === 'number' && x > 0)
    .reduce((a, b) => a + b, 0);
  return sum;
}

function checkWebSocketMessages(c: Checker, v: unknown, path: string): void {
  c.arr(v, path).forEach((item, i) => {
    const p = `${path}[${i}]`;
    const m = c.obj(item, p);
    if (!m) return;
    if (m['type'] !== 'send' && m['type'] !== 'receive') c.problems.push(`${p}.type: must be "send" or "receive"`);
    c.num(m, 'time', p, { min: 0 });
    // Seconds, not milliseconds: a time after the year 2286 is milliseconds by mistake.
    if (typeof m['time'] === 'number' && m['time'] > 1e10) c.problems.push(`${p}.time: ${m['time']} looks like milliseconds; HAR uses seconds`);
    c.num(m, 'opcode', p, { integer: true });
    if (m['opcode'] !== 1 && m['opcode'] !== 2) c.problems.push(`${p}.opcode: expected 1 (text) or 2 (binary)`);
    c.str(m, 'data', p);
    if (m['opcode'] === 2 && typeof m['data'] === 'string' && !/^[A-Za-z0-9+/]*={0,2}$/.test(m['data'])) c.problems.push(`${p}.data: binary data must be base64`);
  });
}

/** Every way `har` departs from HAR 1.2's required fields and types ([] when it is valid). */
export function harProblems(har: unknown): string[] {
  const c = new Checker();
  const root = c.obj(har, 'har');
  const log = root ? c.obj(root['log'], 'log') : null;
  if (!log) return c.problems;
  if (log['version'] !== '1.2') c.problems.push(`log.version: expected "1.2", got ${JSON.stringify(log['version'])}`);
  const creator = c.obj(log['creator'], 'log.creator');
  if (creator) {
    c.str(creator, 'name', 'log.creator');
    c.str(creator, 'version', 'log.creator');
  }
  if (log['pages'] !== undefined) c.arr(log['pages'], 'log.pages');
  c.arr(log['entries'], 'log.entries').forEach((item, i) => {
    const p = `log.entries[${i}]`;
    const e = c.obj(item, p);
    if (!e) return;
    c.str(e, 'startedDateTime', p);
    if (typeof e['startedDateTime'] === 'string' && !ISO.test(e['startedDateTime'])) c.problems.push(`${p}.startedDateTime: not an ISO 8601 date with time zone`);
    c.num(e, 'time', p, { min: 0 });
    checkRequest(c, e['request'], `${p}.request`);
    checkResponse(c, e['response'], `${p}.response`);
    c.obj(e['cache'], `${p}.cache`);
    const sum = checkTimings(c, e['timings'], `${p}.timings`);
    // HAR 1.2: entry.time is the sum of the timings (those that are not -1).
    if (sum !== null && typeof e['time'] === 'number' && Math.abs(sum - e['time']) > 1) c.problems.push(`${p}.time: ${e['time']} is not the sum of its timings (${sum})`);
    c.str(e, 'serverIPAddress', p, true);
    c.str(e, 'connection', p, true);
    if (e['_webSocketMessages'] !== undefined) checkWebSocketMessages(c, e['_webSocketMessages'], `${p}._webSocketMessages`);
  });
  return c.problems;
}
