// A late pin check: the app sent its request over the trusted connection and only then
// dropped it before the answer (a pinning callback run after sending, an interceptor that
// checks the peer certificate late). The request — credentials included — already left the
// device. Reported when that happened on *every* trusted connection that carried a request.
import type { HostEvents } from './group.js';

export function lateRefusal(host: HostEvents): boolean {
  const trustedConns = new Set(host.tls.filter((e) => e.scenario === 'trusted' && e.result === 'accepted').map((e) => e.id));
  if (trustedConns.size === 0) return false;
  const answered = new Set<string>();
  const dropped = new Set<string>();
  for (const r of host.responses) (r.clientClosedEarly === true ? dropped : answered).add(r.id);
  const byConn = new Map<string, boolean[]>();
  for (const req of host.requests) {
    if (!trustedConns.has(req.conn)) continue;
    const list = byConn.get(req.conn) ?? [];
    // A request with no response line at all was cut before any answer could be recorded.
    list.push(dropped.has(req.id) || !answered.has(req.id));
    byConn.set(req.conn, list);
  }
  if (byConn.size === 0 || byConn.size < trustedConns.size) return false;
  return [...byConn.values()].every((reqs) => reqs.length > 0 && reqs.every(Boolean));
}
