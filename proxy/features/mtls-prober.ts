// For a host with a configured client certificate, one extra attempt WITHOUT any
// certificate (once per host:port per session), so the report knows both halves: does the
// backend refuse without a certificate, and does it accept ours. Never sent to the phone.
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { EngineBus } from '../engine-bus.js';
import { now } from '../engine-bus.js';
import { certComplaint, classifyUpstreamFailure } from '../observe/upstream-outcome.js';
import type { UpstreamPool } from '../net/upstream.js';
import type { SessionEvent, UpstreamEvent } from '../session/events.js';

const PROBE_TIMEOUT_MS = 10_000;

export class MtlsProber {
  private probed = new Set<string>();
  private paths = new Map<string, string>();

  constructor(private readonly bus: EngineBus, private readonly pool: () => UpstreamPool) {}

  onEvent(event: SessionEvent): void {
    if (event.type === 'request' && event.scheme === 'https' && this.pool().clientCertFor(event.host)) {
      this.paths.set(event.id, event.method === 'GET' ? new URL(event.url).pathname + new URL(event.url).search : '/');
      return;
    }
    if (event.type !== 'upstream' || event.probe || !event.clientCert) return;
    const key = `${event.host}:${event.port}`;
    if (this.probed.has(key)) return;
    this.probed.add(key);
    const path = (event.request && this.paths.get(event.request)) || '/';
    void this.probe(event.host, event.port, path, event.request);
  }

  private probe(host: string, port: number, path: string, requestId: string | null): Promise<void> {
    const pool = this.pool();
    const route = pool.route(host, port);
    return new Promise((resolve) => {
      let handshakeDone = false;
      let tlsVersion: string | null = null;
      let done = false;
      const emit = (fields: Pick<UpstreamEvent, 'outcome' | 'stage' | 'alert' | 'alertCode' | 'httpStatus' | 'certComplaint' | 'error'>) => {
        if (done) return;
        done = true;
        this.bus.emit({ type: 'upstream', time: now(), id: this.bus.nextId('u'), request: requestId, host, port, probe: true, clientCert: null, tlsVersion, ...fields });
        resolve();
      };
      const req = https.request({
        host: route.connectHost,
        port: route.connectPort,
        servername: net.isIP(route.servername) ? undefined : route.servername,
        checkServerIdentity: (_h, cert) => tls.checkServerIdentity(route.servername, cert),
        agent: false,
        ...pool.tlsOptions(),
        method: 'GET',
        path,
        headers: { host: port === 443 ? host : `${host}:${port}`, 'user-agent': 'Pinprobe mTLS probe (no client certificate)', connection: 'close' },
        timeout: PROBE_TIMEOUT_MS,
      });
      req.on('socket', (s) => s.once('secureConnect', () => {
        handshakeDone = true;
        tlsVersion = (s as tls.TLSSocket).getProtocol();
      }));
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const body = Buffer.concat(chunks).subarray(0, 4096).toString('utf8');
          emit({ outcome: 'answered', stage: 'http', alert: null, alertCode: null, httpStatus: res.statusCode ?? 0, certComplaint: certComplaint(res.statusCode ?? 0, res.statusMessage ?? '', body), error: null });
          res.destroy();
        };
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (size >= 4096) finish();
        });
        res.on('end', finish);
        res.on('error', finish);
      });
      req.on('error', (err) => emit({ ...classifyUpstreamFailure(err, { handshakeDone }), httpStatus: null, certComplaint: false }));
      req.end();
    });
  }

  reset(): void {
    this.probed.clear();
    this.paths.clear();
  }
}
