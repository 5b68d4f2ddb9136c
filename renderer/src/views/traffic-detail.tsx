// Detail of one Traffic row: a connection's TLS outcome, or a request with headers,
// bodies, the connection it used, upstream attempts, and "Copy as curl".
import { useEffect, useState } from 'react';
import { tlsStackOf } from '../../../proxy/judge/tls-stacks';
import { api } from '../api/client';
import type { ClientTlsEvent, RequestEvent, ResponseEvent, SessionLine } from '../api/types';
import { BodyView } from '../components/body-view';
import { GrpcView } from '../components/grpc-view';
import { ErrorNote } from '../components/error-note';
import { JwtView } from '../components/jwt-view';
import { NameValueRows } from '../components/name-value-rows';
import { WebSocketMessages } from '../components/ws-messages';
import { ResendPanel } from '../components/resend-panel';
import { copyText, toCurl, type CurlVia } from '../lib/curl';
import { errorText, formatBytes, formatClock, formatMs, hostPort, hostWithPort } from '../lib/format';
import type { ConnectionRow, RequestRow, TrafficRow } from '../model/traffic-rows';

function Headers({ headers, title }: { headers: Array<[string, string]>; title: string }) {
  return (
    <section>
      <h4>{title}</h4>
      {headers.length === 0 ? (
        <p className="muted">none</p>
      ) : (
        <table className="headers">
          <tbody>
            <NameValueRows rows={headers} />
          </tbody>
        </table>
      )}
    </section>
  );
}

function TlsFacts({ tls }: { tls: ClientTlsEvent | null }) {
  if (!tls) return <p className="muted">TLS outcome not recorded yet (the connection may still be open).</p>;
  return (
    <dl className="facts">
      <dt>Scenario</dt>
      <dd>{tls.scenario}</dd>
      <dt>Client</dt>
      <dd>
        <strong>{tls.result}</strong>
        {tls.stage ? ` ${tls.stage === 'handshake' ? 'in the handshake' : 'after the handshake'}` : ''}
        {tls.alert ? ` · alert ${tls.alert}${tls.alertCode !== null ? ` (${tls.alertCode})` : ''}` : ''}
      </dd>
      {tls.detail ? (
        <>
          <dt>Detail</dt>
          <dd>{tls.detail}</dd>
        </>
      ) : null}
      <dt>Leaf issued for</dt>
      <dd>
        {hostPort(tls.host, 443)}
        {tls.sni ? '' : ' (no SNI: CONNECT target)'}
      </dd>
      <dt>TLS</dt>
      <dd>
        {tls.tlsVersion ?? '—'}
        {tls.alpn ? ` · ALPN ${tls.alpn}` : ''}
      </dd>
      <dt>TLS client</dt>
      <dd>
        {tls.fingerprint?.ja4 ? (
          <>
            {tlsStackOf(tls.fingerprint.ja4)} · JA4 <code>{tls.fingerprint.ja4}</code> · JA3 <code>{tls.fingerprint.ja3}</code>
          </>
        ) : '—'}
      </dd>
      <dt>Timing</dt>
      <dd>
        handshake {formatMs(tls.timings.handshakeMs)} · first byte {formatMs(tls.timings.firstByteMs)} · close {formatMs(tls.timings.closeMs)}
      </dd>
    </dl>
  );
}

function ConnectionDetail({ row }: { row: ConnectionRow }) {
  const c = row.conn;
  return (
    <article className="detail">
      <header className="detail-head">
        <h2>
          {c.mode === 'plain' ? 'HTTP connection to' : 'CONNECT'} {hostWithPort(c.target.host, c.target.port)}
        </h2>
        <p className="muted">
          {formatClock(c.time)} · from {c.client.address}:{c.client.port} · {c.mode}
          {c.tunnelReason ? ` (${c.tunnelReason})` : ''}
        </p>
      </header>
      <section>
        <h3>TLS outcome</h3>
        {c.mode === 'intercept' ? (
          <TlsFacts tls={row.tls} />
        ) : c.mode === 'plain' ? (
          <p>No TLS: cleartext HTTP, readable by anyone on the network. Its requests are listed as their own rows.</p>
        ) : (
          <p>Tunnelled untouched: no certificate of Pinprobe's was shown.</p>
        )}
      </section>
      {row.closed ? (
        <p className="muted">
          Closed · {formatBytes(row.closed.bytesFromClient)} from the client, {formatBytes(row.closed.bytesToClient)} to it
        </p>
      ) : null}
    </article>
  );
}

interface FullLines {
  key: string;
  request: RequestEvent | null;
  response: ResponseEvent | null;
  error: string | null;
}

/**
 * A long live session keeps only recent headers and bodies in memory; an older request or
 * response arrives as a light copy (`evicted`) and is fetched in full from the engine,
 * which reads it back from the session file.
 */
function useFullLines(row: RequestRow): { request: RequestEvent; response: ResponseEvent | null; loading: boolean; error: string | null } {
  const needRequest = row.request.evicted === true;
  const needResponse = row.response?.evicted === true;
  const key = `${row.key}:${needRequest ? row.requestIndex : ''}:${needResponse ? row.responseIndex : ''}`;
  const [state, setState] = useState<FullLines | null>(null);
  useEffect(() => {
    if (!needRequest && !needResponse) return;
    let cancelled = false;
    const fetchLine = async <T extends SessionLine>(index: number | null, type: T['type']): Promise<T> => {
      if (index === null || index < 0) throw new Error('its place in the session is not known');
      const line = await api.get<SessionLine>(`/api/line?index=${index}`);
      if (line.type !== type) throw new Error(`line ${index} is a ${line.type} line, not the ${type}`);
      return line as T;
    };
    Promise.all([
      needRequest ? fetchLine<RequestEvent>(row.requestIndex, 'request') : Promise.resolve(null),
      needResponse ? fetchLine<ResponseEvent>(row.responseIndex, 'response') : Promise.resolve(null),
    ]).then(
      ([request, response]) => {
        if (!cancelled) setState({ key, request, response, error: null });
      },
      (err: unknown) => {
        if (!cancelled) setState({ key, request: null, response: null, error: `Could not load the full headers and body: ${errorText(err)}` });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [key, needRequest, needResponse, row.requestIndex, row.responseIndex]);
  const loaded = state?.key === key ? state : null;
  return {
    request: loaded?.request ?? row.request,
    response: loaded?.response ?? row.response,
    loading: (needRequest || needResponse) && loaded === null,
    error: loaded?.error ?? null,
  };
}

function RequestDetail({ row, curlVia }: { row: RequestRow; curlVia: CurlVia | null }) {
  const [copyState, setCopyState] = useState<string | null>(null);
  const [copyError, setCopyError] = useState<string | null>(null);
  const full = useFullLines(row);
  const r = full.request;
  const res = full.response;
  const pending = full.loading || full.error !== null;
  return (
    <article className="detail">
      <header className="detail-head">
        <h2 className="request-line">
          <span className="method">{r.method}</span> <span className="url">{r.url}</span>
        </h2>
        <p className="muted">
          {formatClock(r.time)} · from {r.clientAddress} · HTTP/{r.httpVersion}
          {r.scheme === 'http' ? <span className="badge tone-bad">Cleartext</span> : null}
        </p>
        <div className="actions">
          {(
            [
              ['direct', 'Copy as curl', null],
              ...(curlVia ? ([['via', 'Copy as curl through Pinprobe', curlVia]] as const) : []),
            ] as const
          ).map(([id, label, via]) => (
            <button
              key={id}
              type="button"
              disabled={pending && r.evicted === true}
              title={via ? `curl --proxy ${via.proxy} --cacert ${via.cacert} …: replays it through Pinprobe, recorded and judged` : 'replays it straight to the server'}
              onClick={async () => {
                try {
                  await copyText(toCurl(r, via));
                  setCopyError(null);
                  setCopyState(id);
                  window.setTimeout(() => setCopyState(null), 1500);
                } catch (err) {
                  setCopyError(errorText(err));
                }
              }}
            >
              {copyState === id ? 'Copied' : label}
            </button>
          ))}
        </div>
        <ErrorNote error={copyError} />
        {r.resend ? (
          <p className="muted resent-note">
            Resent by the tester from {r.resend.of}
            {r.resend.edited.length ? ` (edited: ${r.resend.edited.join(', ')})` : ''}
            {r.resend.removed.length ? ` without ${r.resend.removed.join(', ')}` : ''} — not the app's traffic, not judged.
          </p>
        ) : null}
        {res?.status === 101 ? null : <ResendPanel request={r} response={res} disabled={pending && r.evicted === true} />}
      </header>
      {full.loading ? (
        <p className="muted" role="status">
          Loading headers and bodies from the session file…
        </p>
      ) : null}
      <ErrorNote error={full.error} />
      {/* Request first, then the response under its own heading: status, headers, body. */}
      {pending && r.evicted ? null : (
        <section aria-label="Request">
          <h3>Request</h3>
          <Headers headers={r.headers} title="Request headers" />
          <BodyView body={r.body} headers={r.headers} label="Request body" seenAt={Date.parse(r.time) || undefined} />
          <GrpcView body={r.body} headers={r.headers} label="Request messages" />
          {r.trailers?.length ? <Headers headers={r.trailers} title="Request trailers" /> : null}
          <JwtView request={r} />
        </section>
      )}
      <section className="response" aria-label="Response">
        <h3>Response</h3>
        {res ? (
          <p>
            <strong className={res.status >= 400 ? 'text-bad' : ''}>
              {res.status} {res.statusText}
            </strong>
            {res.httpVersion !== r.httpVersion ? ` · backend answered in HTTP/${res.httpVersion}` : ''}
            {res.synthetic ? ' · produced by Pinprobe' : ''} · wait {formatMs(res.timings.waitMs)} · receive {formatMs(res.timings.receiveMs)}
          </p>
        ) : (
          <p className="muted">No response recorded yet.</p>
        )}
        {res && !(pending && res.evicted) ? (
          <>
            <Headers headers={res.headers} title="Response headers" />
            <BodyView body={res.body} headers={res.headers} label="Response body" seenAt={Date.parse(res.time) || undefined} />
            <GrpcView body={res.body} headers={res.headers} label="Response messages" />
            {res.trailers?.length ? <Headers headers={res.trailers} title="Response trailers" /> : null}
          </>
        ) : null}
      </section>
      {row.websocket || row.messages.length > 0 ? <WebSocketMessages messages={row.messages} socket={row.websocket} /> : null}
      {row.connection?.tls ? (
        <section>
          <h3>TLS outcome of its connection</h3>
          <TlsFacts tls={row.connection.tls} />
        </section>
      ) : null}
      {row.upstream.length > 0 ? (
        <section>
          <h3>Upstream</h3>
          <ul>
            {row.upstream.map((u) => (
              <li key={u.id}>
                {u.probe ? 'Probe without client certificate: ' : u.clientCert ? `With client certificate ${u.clientCert.subject}: ` : ''}
                {u.outcome} ({u.stage}){u.alert ? ` · ${u.alert}` : ''}
                {u.httpStatus !== null ? ` · HTTP ${u.httpStatus}` : ''}
                {u.error ? ` · ${u.error}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </article>
  );
}

export function TrafficDetail({ row, curlVia = null }: { row: TrafficRow; curlVia?: CurlVia | null }) {
  return row.kind === 'connection' ? <ConnectionDetail row={row} /> : <RequestDetail row={row} curlVia={curlVia} />;
}
