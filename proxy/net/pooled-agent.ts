// The upstream pool's https.Agent, with a short pool key. Node's Agent#getName joins some 25
// TLS option fields into the key, and runs two to three times per request (addRequest, the
// socket's 'free', its removal). For the pool's agents every TLS setting is the agent's own
// (one agent per client identity: its secureContext, rejectUnauthorized, ALPN; upstream.ts),
// and requests add only where they go, so the key is made from that: host, port, local
// address, family and the SNI name (when it differs from the host, as Node's key has it).
import type http from 'node:http';
import https from 'node:https';

type KeyOptions = http.ClientRequestArgs & { servername?: string | null; ca?: unknown; cert?: unknown; key?: unknown; pfx?: unknown };

export class PooledHttpsAgent extends https.Agent {
  override getName(options: KeyOptions = {}): string {
    // A request carrying TLS material of its own: Node's full key keeps it apart.
    if (options.ca || options.cert || options.key || options.pfx || options.socketPath) return super.getName(options);
    const host = options.host || 'localhost';
    const sni = options.servername && options.servername !== host ? options.servername : '';
    return `${host}:${options.port || ''}:${options.localAddress || ''}:${options.family || ''}:${sni}`;
  }
}
