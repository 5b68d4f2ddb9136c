// The app frame: tabs (Hosts, Traffic, Setup, Compare, Controls), the proxy status, the
// "viewing a recorded file" banner and the new-device notice.
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { api } from './api/client';
import type { EngineSettings, OnboardingInfo, StatusResponse } from './api/types';
import { ErrorNote } from './components/error-note';
import { HarNoVerdicts } from './components/har-notice';
import type { CurlVia } from './lib/curl';
import { errorText } from './lib/format';
import { useMenuActions, type Notice } from './menu-actions';
import { LiveStore } from './model/live-store';
import { CompareView } from './views/compare-view';
import { ControlsView } from './views/controls-view';
import { HostsBoard } from './views/hosts-board';
import { SetupView } from './views/setup-view';
import { TrafficView } from './views/traffic-view';

const TABS = [
  { id: 'hosts', label: 'Hosts' },
  { id: 'traffic', label: 'Traffic' },
  { id: 'setup', label: 'Setup' },
  { id: 'compare', label: 'Compare' },
  { id: 'controls', label: 'Controls' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function initialTab(): TabId {
  const wanted = new URLSearchParams(window.location.search).get('view');
  return TABS.some((t) => t.id === wanted) ? (wanted as TabId) : 'hosts';
}

export function App() {
  const store = useMemo(() => new LiveStore(), []);
  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);
  const snap = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const [tab, setTab] = useState<TabId>(initialTab);
  const [status, setStatus] = useState<StatusResponse | null>(null);
  const [settings, setSettings] = useState<EngineSettings | null>(null);
  const [onboarding, setOnboarding] = useState<OnboardingInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [onboardingError, setOnboardingError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const tabRefs = useRef<Array<HTMLButtonElement | null>>([]);

  const refreshStatus = useCallback(async () => {
    try {
      setStatus(await api.get<StatusResponse>('/api/status'));
      setLoadError(null);
    } catch (err) {
      setLoadError(errorText(err));
    }
  }, []);

  useEffect(() => {
    void refreshStatus();
    api.get<EngineSettings>('/api/settings').then(setSettings, (err: unknown) => setLoadError(errorText(err)));
    const timer = window.setInterval(() => void refreshStatus(), 5000);
    return () => window.clearInterval(timer);
  }, [refreshStatus]);

  // The view (live or an opened file) changed: the status line must follow.
  useEffect(() => {
    void refreshStatus();
  }, [snap.view?.file, snap.view?.mode, refreshStatus]);

  useEffect(() => {
    api.get<OnboardingInfo>('/api/onboarding').then(
      (info) => {
        setOnboarding(info);
        setOnboardingError(null);
      },
      (err: unknown) => setOnboardingError(errorText(err)),
    );
  }, [tab, status?.engine.running, status?.engine.port]);

  // The desktop app's File and Help menus.
  useMenuActions({ showTab: setTab, onStatus: setStatus, notify: setNotice });

  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = TABS.findIndex((t) => t.id === tab);
    let next = i;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    else return;
    e.preventDefault();
    setTab(TABS[next]!.id);
    tabRefs.current[next]?.focus();
  };

  const viewingFile = snap.view?.mode === 'file';
  const engine = status?.engine;
  const hostCount = snap.report?.hosts.length ?? 0;

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <span>Pinprobe</span>
        </div>
        <div className="tabs" role="tablist" aria-label="Views" onKeyDown={onTabKey}>
          {TABS.map((t, i) => (
            <button
              key={t.id}
              ref={(el) => {
                tabRefs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              className={tab === t.id ? 'tab on' : 'tab'}
              onClick={() => setTab(t.id)}
            >
              {t.label}
              {t.id === 'hosts' && hostCount > 0 ? <span className="tab-count">{hostCount}</span> : null}
              {t.id === 'traffic' && snap.traffic.rows.length > 0 ? <span className="tab-count">{snap.traffic.rows.length.toLocaleString()}</span> : null}
            </button>
          ))}
        </div>
        <div className="status" aria-live="polite">
          {engine ? (
            <span className={`chip ${engine.running ? 'chip-on' : 'chip-off'}`}>
              <span className="dot" aria-hidden="true" />
              {engine.running ? proxyChipText(onboarding, engine) : 'Proxy stopped'}
            </span>
          ) : null}
          <span className={`chip link-${snap.link}`} title="Live connection to Pinprobe">
            {snap.link === 'live' ? 'Live' : snap.link === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
          </span>
        </div>
      </header>

      {viewingFile ? (
        <div className="banner" role="status">
          {snap.view?.source === 'har' ? 'Viewing a HAR file (read-only, traffic only — no verdicts): ' : 'Viewing a recorded session (read-only): '}
          <span className="mono">{snap.view?.file}</span>
          {snap.view?.warnings.length ? <span className="muted"> · {snap.view.warnings.length} warning(s): {snap.view.warnings[0]}</span> : null}
          <button
            type="button"
            onClick={async () => {
              try {
                await api.post('/api/session/live');
              } catch (err) {
                setLoadError(errorText(err));
              }
            }}
          >
            Back to live
          </button>
        </div>
      ) : null}

      {engine?.recordingStopped ? (
        <div className="banner banner-warn" role="alert">
          {engine.recordingStopped}
        </div>
      ) : null}

      {snap.newDevice && tab !== 'setup' ? (
        <div className="toast" role="status">
          New device <strong className="mono">{snap.newDevice.address}</strong> sent its first request.
          <button type="button" onClick={() => store.dismissNewDevice()}>
            Dismiss
          </button>
        </div>
      ) : null}

      {notice ? (
        <div className={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <span>{notice.text}</span>
          <button type="button" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      ) : null}

      <ErrorNote error={loadError ?? snap.error} />

      <main id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} className="panel">
        {tab === 'hosts' && snap.view?.source === 'har' ? (
          <HarNoVerdicts file={snap.view.file} requests={snap.traffic.rows.length} onOpenTraffic={() => setTab('traffic')} />
        ) : null}
        {tab === 'hosts' && snap.view?.source !== 'har' ? (
          <HostsBoard
            report={snap.report}
            lines={snap.lines}
            version={snap.version}
            settings={settings}
            onboarding={onboarding}
            viewingFile={viewingFile}
            onOpenSetup={() => setTab('setup')}
            onOpenControls={() => setTab('controls')}
          />
        ) : null}
        {tab === 'traffic' ? (
          <TrafficView traffic={snap.traffic} version={snap.version} proxyAddress={onboarding?.proxyAddresses[0] ?? null} viewingFile={viewingFile} onOpenSetup={() => setTab('setup')} curlVia={curlVia(status)} />
        ) : null}
        {tab === 'setup' ? <SetupView onboarding={onboarding} error={onboardingError} devices={snap.devices} newDevice={snap.newDevice} version={snap.version} settings={settings} onSettings={setSettings} /> : null}
        {tab === 'compare' ? <CompareView /> : null}
        {tab === 'controls' ? <ControlsView status={status} settings={settings} onSettings={setSettings} onStatus={setStatus} /> : null}
      </main>
    </div>
  );
}

/** Only an address something listens on: a loopback-only proxy says so instead of a LAN address. */
function proxyChipText(onboarding: OnboardingInfo | null, engine: { listen: string; port: number }): string {
  if (onboarding?.loopbackOnly) return `Proxy on ${onboarding.listenAddress} · this computer only`;
  return `Proxy on ${onboarding?.proxyAddresses[0] ?? `${engine.listen}:${engine.port}`}`;
}

/** "Copy as curl through Pinprobe": this computer reaches the proxy on loopback unless it is bound to one address. */
function curlVia(status: StatusResponse | null): CurlVia | null {
  const e = status?.engine;
  if (!e || !e.running) return null;
  const wildcard = e.listen === '0.0.0.0' || e.listen === '::' || e.listen === '';
  const host = wildcard ? '127.0.0.1' : e.listen.includes(':') ? `[${e.listen}]` : e.listen;
  return { proxy: `http://${host}:${e.port}`, cacert: e.caCertPath };
}

