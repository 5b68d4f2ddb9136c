// The landing view: one row per host, most severe first, updated live. Selecting a
// host shows its evidence beside the list.
import { useMemo, useState } from 'react';
import type { EngineSettings, HostVerdict, OnboardingInfo, Report, SessionLine } from '../api/types';
import { MtlsBadge, PinningBadge, SeverityBadge } from '../components/badges';
import { ScenarioStrip, StripLegend } from '../components/scenario-strip';
import { closeOnEscape } from '../lib/close-on-escape';
import { VirtualList } from '../components/virtual-list';
import { hostPort, hostWithPort } from '../lib/format';
import { checkSeverity, hostKeyOf, matchesFilter, sortHosts, worstSeverity } from '../model/hosts';
import { HostDetail } from './host-detail';
import { BackendBadge } from './backend-section';

export interface HostsBoardProps {
  report: Report | null;
  lines: readonly SessionLine[];
  version: number;
  settings: EngineSettings | null;
  onboarding: OnboardingInfo | null;
  viewingFile: boolean;
  onOpenSetup: () => void;
  onOpenControls: () => void;
}

function HostRow({ host }: { host: HostVerdict }) {
  const worst = worstSeverity(host);
  return (
    <>
      <span className="col-host" title={hostWithPort(host.host, host.port)}>
        {hostPort(host.host, host.port)}
        {host.passthrough ? <span className="tag">tunnelled</span> : null}
        {host.mappedTo?.length ? <span className="tag" title={`--map-remote sent it to ${host.mappedTo.join(', ')}: its mTLS verdict is that server's`}>mapped</span> : null}
        <BackendBadge host={host} />
      </span>
      <span className="col-pinning">
        <PinningBadge compact value={host.pinning} reason={host.pinningReason} evidence={host.pinningEvidence} severity={checkSeverity(host, 'pinning')} />
      </span>
      <span className="col-strip">
        <ScenarioStrip client={host.client} />
      </span>
      <span className="col-mtls">
        <MtlsBadge mtls={host.mtls} severity={checkSeverity(host, 'mtls')} />
      </span>
      <span className="col-clear">{host.cleartext ? <span className={`badge tone-sev-${checkSeverity(host, 'cleartext') ?? 'high'}`}>Cleartext</span> : <span className="muted" aria-label="no cleartext">—</span>}</span>
      <span className="col-findings">
        {worst ? (
          <>
            <SeverityBadge severity={worst} /> <span className="count" aria-label={`${host.findings.length} findings`}>{host.findings.length}</span>
          </>
        ) : (
          <span className="muted">0</span>
        )}
      </span>
    </>
  );
}

function EmptyBoard({ onboarding, onOpenSetup, onOpenControls, viewingFile }: Pick<HostsBoardProps, 'onboarding' | 'onOpenSetup' | 'onOpenControls' | 'viewingFile'>) {
  if (viewingFile) return <div className="empty"><h2>This session recorded no hosts</h2><p>Open another session file in Controls, or go back to live.</p></div>;
  if (onboarding && !onboarding.running) {
    return (
      <div className="empty">
        <h2>The proxy is stopped</h2>
        <p>Nothing is intercepted until it runs. Start it in Controls; the phone's proxy setting can stay as it is.</p>
        <button type="button" className="primary" onClick={onOpenControls}>
          Open Controls
        </button>
      </div>
    );
  }
  const address = onboarding?.proxyAddresses[0] ?? `this computer's address:${onboarding?.proxyPort ?? 8080}`;
  return (
    <div className="empty">
      <h2>No hosts yet</h2>
      <ol>
        <li>
          Point the phone's Wi-Fi proxy at <strong className="mono">{address}</strong>.
        </li>
        <li>Install and trust the Pinprobe CA on the phone — Setup shows a QR code and the steps.</li>
        <li>Open the app you are testing. Hosts appear here within a second of their first connection.</li>
      </ol>
      <button type="button" className="primary" onClick={onOpenSetup}>
        Open Setup
      </button>
    </div>
  );
}

function CountFilter({ n, word, label, filter, onFilter, critical }: { n: number; word: string; label: string; filter: string; onFilter: (f: string) => void; critical?: boolean }) {
  const on = filter.trim().toLowerCase() === word;
  return (
    <button type="button" className={`link-button count-filter${critical ? ' text-critical' : ''}${on ? ' on' : ''}`} aria-pressed={on} title={on ? 'Show all hosts' : `Show only ${label} hosts`} onClick={() => onFilter(on ? '' : word)}>
      {n} {label}
    </button>
  );
}

export function HostsBoard(props: HostsBoardProps) {
  const [filter, setFilter] = useState('');
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const hosts = useMemo(() => sortHosts(props.report?.hosts ?? []).filter((h) => matchesFilter(h, filter)), [props.report, filter]);
  const selectedIndex = selectedKey === null ? null : hosts.findIndex((h) => hostKeyOf(h) === selectedKey);
  const selected = selectedIndex !== null && selectedIndex >= 0 ? hosts[selectedIndex] : undefined;
  const total = props.report?.hosts.length ?? 0;
  const counts = useMemo(() => {
    const all = props.report?.hosts ?? [];
    return {
      notPinned: all.filter((h) => h.pinning === 'not-pinned').length,
      pinned: all.filter((h) => h.pinning === 'pinned').length,
      likelyPinned: all.filter((h) => h.pinning === 'likely-pinned').length,
      broken: all.filter((h) => h.validation === 'broken').length,
      cleartext: all.filter((h) => h.cleartext).length,
    };
  }, [props.report]);

  if (total === 0) return <EmptyBoard {...props} />;

  return (
    <div className={`split${selected ? ' with-detail' : ''}`} onKeyDown={closeOnEscape(selected !== undefined, () => setSelectedKey(null))}>
      <section className="board" aria-label="Hosts">
        <div className="toolbar">
          <input
            type="search"
            className="filter"
            placeholder="Filter hosts: name, pinned, not-pinned, broken, high, -word"
            aria-label="Filter hosts"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          <p className="summary" aria-live="polite">
            {/* Each count is a filter: one click shows exactly those hosts (again to clear). */}
            <strong>{total}</strong> host{total === 1 ? '' : 's'} · <CountFilter n={counts.pinned} word="pinned" label="pinned" filter={filter} onFilter={setFilter} /> ·{' '}
            <CountFilter n={counts.notPinned} word="not-pinned" label="not pinned" filter={filter} onFilter={setFilter} />
            {counts.likelyPinned ? <> · <CountFilter n={counts.likelyPinned} word="likely-pinned" label="likely pinned" filter={filter} onFilter={setFilter} /></> : null}
            {counts.broken ? <> · <CountFilter n={counts.broken} word="broken" label="broken validation" filter={filter} onFilter={setFilter} critical /></> : null}
            {counts.cleartext ? <> · <CountFilter n={counts.cleartext} word="cleartext" label="cleartext" filter={filter} onFilter={setFilter} /></> : null}
          </p>
        </div>
        {(props.report?.advice ?? []).map((a) => (
          <p key={a.id} className="advice" role="status" data-advice={a.id}>
            {a.text}
            {a.id === 'ca-not-trusted' ? (
              <>
                {' '}
                <button type="button" className="link-button" onClick={props.onOpenSetup}>
                  Open Setup
                </button>
              </>
            ) : null}
          </p>
        ))}
        <div className="board-head" aria-hidden="true">
          <span className="col-host">Host</span>
          <span className="col-pinning">Pinning</span>
          <span className="col-strip">Scenarios</span>
          <span className="col-mtls">mTLS</span>
          <span className="col-clear">Cleartext</span>
          <span className="col-findings">Findings</span>
        </div>
        <VirtualList
          items={hosts}
          rowHeight={44}
          getKey={hostKeyOf}
          label="Hosts, most severe first"
          idPrefix="host"
          selectedIndex={selectedIndex !== null && selectedIndex >= 0 ? selectedIndex : null}
          onSelect={(i) => {
            const h = hosts[i];
            if (h) setSelectedKey(hostKeyOf(h));
          }}
          renderRow={(h) => <HostRow host={h} />}
          empty={<p className="empty-filter">No host matches “{filter}”.</p>}
        />
        <StripLegend />
      </section>
      {selected ? (
        <aside className="detail-pane" aria-label="Host evidence">
          <button type="button" className="close" aria-label="Close host evidence" onClick={() => setSelectedKey(null)}>
            ×
          </button>
          <HostDetail host={selected} lines={props.lines} version={props.version} settings={props.settings} />
        </aside>
      ) : null}
    </div>
  );
}
