// Sorts recorded events into per-host buckets (host:port) in two linear passes, so the
// judge and the HTML evidence see exactly the same grouping. The live verdicts (live.ts)
// group event by event the same way: change both (test/unit/live-verdicts.test.ts checks).
import { isReservedName } from '../onboarding/host.js';
import { hostPortKey } from '../host-key.js';
import type {
  ClientTlsEvent,
  ConnectionEvent,
  PassthroughEvent,
  RequestEvent,
  ResponseEvent,
  SessionEvent,
  SessionHeader,
  UpstreamEvent,
} from '../session/events.js';

export interface HostEvents {
  host: string;
  port: number;
  /** Client TLS outcomes of intercepted connections, in recorded order. */
  tls: ClientTlsEvent[];
  /** HTTP requests (both schemes), onboarding-page requests excluded. */
  requests: RequestEvent[];
  /** Responses to those requests. */
  responses: ResponseEvent[];
  upstream: UpstreamEvent[];
  passthrough: PassthroughEvent[];
  /** Tunnel connections (rule, auto, not-tls) that moved bytes. */
  tunnels: ConnectionEvent[];
  /** Intercepted connections whose TLS outcome was never written (e.g. the proxy was killed). */
  intercepts: ConnectionEvent[];
}

/** Map key for a host; names are case-insensitive, so they are lower-cased. */
export const hostKey = hostPortKey;

/**
 * The onboarding page is served by Pinprobe itself — under a reserved `.invalid` name, or
 * straight from the proxy's own port — so it is never an app's cleartext traffic.
 */
export function isOnboardingExchange(
  request: RequestEvent,
  response: ResponseEvent | undefined,
  header: SessionHeader | null,
): boolean {
  if (typeof request.host === 'string' && isReservedName(request.host)) return true;
  return header !== null && response?.synthetic === true && request.port === header.proxy.port;
}

function emptyHost(host: string, port: number): HostEvents {
  return { host: host.toLowerCase(), port, tls: [], requests: [], responses: [], upstream: [], passthrough: [], tunnels: [], intercepts: [] };
}

/** Groups events by host:port; the map keeps first-seen order. */
export function groupByHost(events: readonly SessionEvent[], header: SessionHeader | null): Map<string, HostEvents> {
  // Pass 1: facts that arrive after the event they qualify (responses, closes).
  const responses = new Map<string, ResponseEvent>();
  const bytesByConn = new Map<string, number>();
  const judgedConns = new Set<string>();
  for (const event of events) {
    if (event.type === 'response') responses.set(event.id, event);
    else if (event.type === 'client-tls') judgedConns.add(event.id);
    else if (event.type === 'close') {
      bytesByConn.set(event.id, (event.bytesFromClient ?? 0) + (event.bytesToClient ?? 0));
    }
  }

  const hosts = new Map<string, HostEvents>();
  const bucket = (host: string, port: number): HostEvents | null => {
    // A hand-edited or foreign file may carry events without a usable host: skip them
    // rather than fail the whole report.
    if (typeof host !== 'string' || host === '' || typeof port !== 'number') return null;
    const key = hostKey(host, port);
    let found = hosts.get(key);
    if (!found) {
      found = emptyHost(host, port);
      hosts.set(key, found);
    }
    return found;
  };

  for (const event of events) {
    switch (event.type) {
      case 'client-tls':
        bucket(event.host, event.port)?.tls.push(event);
        break;
      case 'request':
        // A request the tester resent from Traffic is not the app's traffic: never judged.
        if (event.resend) break;
        if (!isOnboardingExchange(event, responses.get(event.id), header)) {
          const b = bucket(event.host, event.port);
          b?.requests.push(event);
          const response = responses.get(event.id);
          if (b && response) b.responses.push(response);
        }
        break;
      case 'upstream':
        bucket(event.host, event.port)?.upstream.push(event);
        break;
      case 'passthrough':
        bucket(event.host, event.port)?.passthrough.push(event);
        break;
      case 'connection': {
        const { host, port } = event.target ?? { host: '', port: 0 };
        // An intercepted connection with a TLS outcome is filed under the outcome's host (the
        // SNI name), so a CONNECT by address does not make a phantom row for the address.
        if (event.mode === 'intercept') {
          if (!judgedConns.has(event.id)) bucket(host, port)?.intercepts.push(event);
        }
        else if (event.mode === 'tunnel' && hadTraffic(bytesByConn.get(event.id))) bucket(host, port)?.tunnels.push(event);
        // 'plain' sockets are represented by their requests (the onboarding page among them is not a host).
        break;
      }
      default:
        break;
    }
  }
  return hosts;
}

/** A tunnel still open when the session ended (no close) may well have carried data. */
function hadTraffic(bytes: number | undefined): boolean {
  return bytes === undefined || bytes > 0;
}
