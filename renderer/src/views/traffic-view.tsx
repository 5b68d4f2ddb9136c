// Every connection and request of the session in a windowed live list, with a detail
// pane for the selected one.
import { useDeferredValue, useMemo, useState } from 'react';
import { closeOnEscape } from '../lib/close-on-escape';
import { VirtualList } from '../components/virtual-list';
import { formatBytes, formatClock, hostWithPort } from '../lib/format';
import type { CurlVia } from '../lib/curl';
import { filterRows } from '../model/traffic-filter';
import { type TrafficModel, type TrafficRow } from '../model/traffic-rows';
import { TrafficDetail } from './traffic-detail';

function outcome(row: TrafficRow): { text: string; tone: string } {
  if (row.kind === 'connection') {
    if (row.conn.mode === 'plain') return { text: 'cleartext', tone: 'bad' };
    if (row.conn.mode !== 'intercept') return { text: `tunnel${row.conn.tunnelReason ? ` (${row.conn.tunnelReason})` : ''}`, tone: 'muted' };
    const t = row.tls;
    if (!t) return { text: 'open', tone: 'muted' };
    const expectedReject = t.scenario !== 'trusted';
    const tone = t.result === 'inconclusive' ? 'warn' : (t.result === 'rejected') === expectedReject ? 'ok' : expectedReject ? 'bad' : 'info';
    return { text: `${t.result}${t.alert ? ` · ${t.alert}` : t.stage === 'after-handshake' ? ' · after handshake' : ''}`, tone };
  }
  const res = row.response;
  if (!res) return { text: '…', tone: 'muted' };
  // A WebSocket: its 101 and how many messages it carried so far.
  if (res.status === 101 && (row.websocket || row.messages.length > 0)) return { text: `101 · ${row.messages.length} msg`, tone: 'ok' };
  return { text: String(res.status), tone: res.status >= 500 ? 'bad' : res.status >= 400 ? 'warn' : 'ok' };
}

function TrafficRowView({ row }: { row: TrafficRow }) {
  const o = outcome(row);
  if (row.kind === 'connection') {
    const c = row.conn;
    return (
      <>
        <span className="t-time">{formatClock(c.time)}</span>
        {/* A plain-HTTP socket is no CONNECT tunnel: its requests are the rows below it. */}
        <span className={`t-kind${c.mode === 'plain' ? ' cleartext' : ''}`}>{c.mode === 'plain' ? 'HTTP' : 'CONNECT'}</span>
        <span className="t-target">
          {hostWithPort(c.target.host, c.target.port)}
        </span>
        <span className="t-scenario">{c.scenario ?? '—'}</span>
        <span className={`t-outcome text-${o.tone}`}>{o.text}</span>
        <span className="t-size">{row.closed ? formatBytes(row.closed.bytesToClient) : ''}</span>
        <span className="t-client">{c.client.address}</span>
      </>
    );
  }
  const r = row.request;
  return (
    <>
      <span className="t-time">{formatClock(r.time)}</span>
      <span className={`t-kind method${r.scheme === 'http' ? ' cleartext' : ''}`}>{r.method}</span>
      <span className="t-target" title={r.url}>
        {r.scheme === 'http' ? <span className="badge tone-bad small">http</span> : null}
        {r.httpVersion === '2' ? <span className="badge small" title="HTTP/2">h2</span> : null}
        {r.resend ? <span className="badge tone-info small" title={`resent from ${r.resend.of}`}>resent</span> : null} {r.url.replace(/^https?:\/\//, '')}
      </span>
      <span className="t-scenario">{row.connection?.conn.scenario ?? (r.scheme === 'http' ? 'cleartext' : '—')}</span>
      <span className={`t-outcome text-${o.tone}`}>{o.text}</span>
      <span className="t-size">{row.response ? formatBytes(row.response.body.size) : ''}</span>
      <span className="t-client">{r.clientAddress}</span>
    </>
  );
}

export interface TrafficViewProps {
  traffic: TrafficModel;
  version: number;
  /** HOST:PORT for the phone's proxy setting, for the empty state */
  proxyAddress: string | null;
  viewingFile: boolean;
  onOpenSetup: () => void;
  /** Pinprobe's proxy and CA for "Copy as curl through Pinprobe" (null: proxy stopped). */
  curlVia?: CurlVia | null;
}

function NoTraffic({ proxyAddress, viewingFile, onOpenSetup }: Omit<TrafficViewProps, 'traffic' | 'version'>) {
  if (viewingFile) return <div className="empty"><h2>This session recorded no traffic</h2><p>Open another session file in Controls, or go back to live.</p></div>;
  return (
    <div className="empty">
      <h2>No traffic yet</h2>
      <p>
        Connections and requests appear here as the phone makes them. Point its Wi-Fi proxy at{' '}
        <strong className="mono">{proxyAddress ?? "this computer's address and the proxy port"}</strong> and trust the Pinprobe CA — Setup shows how.
      </p>
      <button type="button" className="primary" onClick={onOpenSetup}>
        Open Setup
      </button>
    </div>
  );
}

export function TrafficView({ traffic, version, proxyAddress, viewingFile, onOpenSetup, curlVia }: TrafficViewProps) {
  const [filter, setFilter] = useState('');
  const [kind, setKind] = useState<'all' | 'connection' | 'request'>('all');
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  // Typing stays responsive on 100,000 rows: the list re-filters with the deferred value,
  // in a render React may interrupt, while the input shows every keystroke at once.
  const deferredFilter = useDeferredValue(filter);
  const rows = useMemo(() => {
    const all = kind === 'all' ? traffic.rows : traffic.rows.filter((r) => r.kind === kind);
    return filterRows(all, deferredFilter);
    // `version` changes when rows are appended or filled in.
  }, [traffic, version, deferredFilter, kind]);
  const selectedIndex = selectedKey === null ? -1 : rows.findIndex((r) => r.key === selectedKey);
  const selected = selectedIndex >= 0 ? rows[selectedIndex] : undefined;

  return (
    <div className={`split${selected ? ' with-detail' : ''}`} onKeyDown={closeOnEscape(selected !== undefined, () => setSelectedKey(null))}>
      <section className="traffic" aria-label="Traffic">
        <div className="toolbar">
          <input type="search" className="filter" placeholder="Filter: text, host:, method:, status:4xx, scenario:, verdict:, has:body, -word" aria-label="Filter traffic" title="Words are ANDed; - negates; quotes keep spaces. Free text matches URL, headers and captured bodies. See docs/ui.md." value={filter} onChange={(e) => setFilter(e.target.value)} />
          <div className="segmented" role="radiogroup" aria-label="Show">
            {(['all', 'connection', 'request'] as const).map((k) => (
              <button key={k} type="button" role="radio" aria-checked={kind === k} className={kind === k ? 'on' : ''} onClick={() => setKind(k)}>
                {k === 'all' ? 'All' : k === 'connection' ? 'Connections' : 'Requests'}
              </button>
            ))}
          </div>
          <p className="summary" aria-live="off">
            {rows.length.toLocaleString()} of {traffic.rows.length.toLocaleString()} rows
          </p>
        </div>
        <div className="traffic-head" aria-hidden="true">
          <span className="t-time">Time</span>
          <span className="t-kind">Type</span>
          <span className="t-target">Target</span>
          <span className="t-scenario">Scenario</span>
          <span className="t-outcome">Outcome</span>
          <span className="t-size">Size</span>
          <span className="t-client">Client</span>
        </div>
        <VirtualList
          items={rows}
          rowHeight={28}
          getKey={(r) => r.key}
          label="Connections and requests"
          idPrefix="traffic"
          followTail
          selectedIndex={selectedIndex >= 0 ? selectedIndex : null}
          onSelect={(i) => {
            const r = rows[i];
            if (r) setSelectedKey(r.key);
          }}
          renderRow={(r) => <TrafficRowView row={r} />}
          empty={traffic.rows.length === 0 ? <NoTraffic proxyAddress={proxyAddress} viewingFile={viewingFile} onOpenSetup={onOpenSetup} /> : <p className="empty-filter">No row matches the filter.</p>}
        />
      </section>
      {selected ? (
        <aside className="detail-pane" aria-label="Traffic detail">
          <button type="button" className="close" aria-label="Close detail" onClick={() => setSelectedKey(null)}>
            ×
          </button>
          <TrafficDetail row={selected} curlVia={curlVia ?? null} />
        </aside>
      ) : null}
    </div>
  );
}
