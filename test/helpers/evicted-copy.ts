// What eviction leaves of a request/response line in the in-memory session: its in-memory
// copy without headers and body data, marked evicted (the compact-row and sealed-block
// tests compare what memory gives back against it).
import type { RequestEvent, ResponseEvent, SessionLine } from '../../proxy/session/events.js';
import { slim } from '../../proxy/session/memory.js';

export function expectedLight(line: RequestEvent | ResponseEvent): SessionLine {
  const c = slim(line);
  c.headers = [];
  c.body = { size: c.body.size, encoding: c.body.encoding, data: '', truncated: true };
  c.evicted = true;
  return c;
}
