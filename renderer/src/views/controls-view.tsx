// Controls: proxy and session actions, exports, and the engine settings (scenario,
// passthrough, client certificates, map-remote, upstream trust).
import { useEffect, useState } from 'react';
import { api, downloadHref } from '../api/client';
import type { ClientCertSetting, EngineSettings, MapRemoteRule, Scenario, StatusResponse, ViewInfo } from '../api/types';
import { SCENARIO_LIST } from '../api/types';
import { ErrorNote } from '../components/error-note';
import { ListEditor, cleanList } from '../components/list-editor';
import { PathField } from '../components/path-field';
import { SectionForm } from '../components/section-form';
import { bridge } from '../bridge';
import { errorText } from '../lib/format';

export interface ControlsViewProps {
  status: StatusResponse | null;
  settings: EngineSettings | null;
  onSettings: (s: EngineSettings) => void;
  onStatus: (s: StatusResponse) => void;
}

const SESSION_FILTERS = [{ name: 'Pinprobe session', extensions: ['jsonl'] }];
const CERT_FILTERS = [{ name: 'Certificates and keys', extensions: ['pem', 'crt', 'cer', 'key', 'p12', 'pfx'] }];

function useAction(): [string | null, boolean, (fn: () => Promise<void>) => Promise<void>] {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    try {
      await fn();
      setError(null);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return [error, busy, run];
}

function ProxyAndSession({ status, onStatus }: Pick<ControlsViewProps, 'status' | 'onStatus'>) {
  const [error, busy, run] = useAction();
  const [openPath, setOpenPath] = useState('');
  const [savePath, setSavePath] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const running = status?.engine.running ?? false;
  const view: ViewInfo | undefined = status?.view;
  const refresh = async () => onStatus(await api.get<StatusResponse>('/api/status'));
  return (
    <section className="card" aria-labelledby="proxy-title">
      <h2 id="proxy-title">Proxy and session</h2>
      <p>
        Proxy <strong className={running ? 'text-ok' : 'text-warn'}>{running ? 'running' : 'stopped'}</strong>
        {status ? (
          <>
            {' '}
            on <span className="mono">{status.engine.listen}:{status.engine.port}</span>
          </>
        ) : null}
      </p>
      <p className="muted">
        {view?.mode === 'file' ? 'Viewing' : 'Recording to'} <span className="mono">{view?.file ?? status?.engine.sessionFile ?? '…'}</span>
      </p>
      <div className="button-row">
        <button type="button" disabled={busy} onClick={() => run(async () => onStatus(await api.post<StatusResponse>(running ? '/api/proxy/stop' : '/api/proxy/start')))}>
          {running ? 'Stop proxy' : 'Start proxy'}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            run(async () => {
              const res = await api.post<StatusResponse & { file: string }>('/api/session/new');
              onStatus(res);
              setNote(`New session: ${res.file}`);
            })
          }
        >
          New session
        </button>
        {view?.mode === 'file' ? (
          <button type="button" disabled={busy} onClick={() => run(async () => { await api.post('/api/session/live'); await refresh(); })}>
            Back to live
          </button>
        ) : null}
      </div>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await api.post('/api/session/open', { path: openPath });
            await refresh();
            setNote(`Opened ${openPath} (read-only)`);
          });
        }}
      >
        <PathField label="Open a session file (read-only)" value={openPath} onChange={setOpenPath} placeholder="/path/to/session.pinprobe.jsonl" filters={SESSION_FILTERS} />
        <button type="submit" disabled={busy || openPath.trim() === ''}>
          Open
        </button>
      </form>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const res = await api.post<{ saved: string }>('/api/session/save-as', { path: savePath, overwrite: bridge()?.saveFile !== undefined });
            setNote(`Saved a copy to ${res.saved}`);
          });
        }}
      >
        <PathField label="Save session as" mode="save" value={savePath} onChange={setSavePath} placeholder="/path/to/copy.pinprobe.jsonl" filters={SESSION_FILTERS} />
        <button type="submit" disabled={busy || savePath.trim() === ''}>
          Save
        </button>
      </form>
      <ErrorNote error={error} />
      {note && !error ? <p className="ok-note" role="status">{note}</p> : null}
      <h3>Export {view?.mode === 'file' ? 'the opened session' : 'this session'}</h3>
      <div className="button-row exports">
        <a className="button" href={downloadHref('/api/export/har')}>HAR</a>
        <a className="button" href={downloadHref('/api/export/report?format=html')}>HTML report</a>
        <a className="button" href={downloadHref('/api/export/report?format=json')}>JSON report</a>
        <a className="button" href={downloadHref('/api/export/report?format=junit')}>JUnit XML</a>
        <a className="button" href={downloadHref('/api/export/report?format=text')}>Text</a>
      </div>
    </section>
  );
}

function ClientCertRows({ value, onChange }: { value: ClientCertSetting[]; onChange: (v: ClientCertSetting[]) => void }) {
  const update = (i: number, patch: Partial<ClientCertSetting>) => onChange(value.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <div className="rows">
      {value.map((c, i) => (
        <fieldset key={i} className="row-set">
          <legend>Client certificate {i + 1}</legend>
          <label>
            Host glob
            <input type="text" value={c.host} placeholder="api.example.com or *.example.com" onChange={(e) => update(i, { host: e.target.value })} />
          </label>
          <PathField label="Certificate (PEM) or .p12" value={c.cert} onChange={(v) => update(i, { cert: v })} filters={CERT_FILTERS} />
          <PathField label="Key (PEM; empty for .p12)" value={c.key ?? ''} onChange={(v) => update(i, { key: v || undefined })} filters={CERT_FILTERS} />
          <label>
            Passphrase (.p12)
            <input type="password" autoComplete="off" value={c.passphrase ?? ''} onChange={(e) => update(i, { passphrase: e.target.value || undefined })} />
          </label>
          <button type="button" className="link-button" onClick={() => onChange(value.filter((_, j) => j !== i))}>
            Remove
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => onChange([...value, { host: '', cert: '' }])}>
        Add client certificate
      </button>
    </div>
  );
}

function MapRemoteRows({ value, onChange }: { value: MapRemoteRule[]; onChange: (v: MapRemoteRule[]) => void }) {
  const update = (i: number, patch: Partial<MapRemoteRule>) => onChange(value.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="rows">
      {value.map((r, i) => (
        <div key={i} className="map-row">
          <input type="text" aria-label={`Rule ${i + 1}: from host[:port]`} placeholder="api.example.com:443" value={r.from} onChange={(e) => update(i, { from: e.target.value })} />
          <span aria-hidden="true">→</span>
          <input type="text" aria-label={`Rule ${i + 1}: to address:port`} placeholder="10.0.0.5:8443" value={r.to} onChange={(e) => update(i, { to: e.target.value })} />
          <button type="button" className="link-button" aria-label={`Remove rule ${i + 1}`} onClick={() => onChange(value.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...value, { from: '', to: '' }])}>
        Add rule
      </button>
    </div>
  );
}

export function ControlsView({ status, settings, onSettings, onStatus }: ControlsViewProps) {
  const [draft, setDraft] = useState<EngineSettings | null>(settings);
  useEffect(() => setDraft(settings), [settings]);
  const apply = async (patch: Partial<EngineSettings>) => onSettings(await api.put<EngineSettings>('/api/settings', patch));
  const set = (patch: Partial<EngineSettings>) => setDraft((d) => (d ? { ...d, ...patch } : d));

  return (
    <div className="controls">
      <ProxyAndSession status={status} onStatus={onStatus} />
      {draft === null ? (
        <section className="card">
          <p className="muted">Loading settings…</p>
        </section>
      ) : (
        <>
          <SectionForm title="Certificate scenario" onApply={() => apply({ scenario: draft.scenario })}>
            <div role="radiogroup" aria-label="Scenario mode" className="radios">
              <label>
                <input type="radio" name="mode" checked={draft.scenario === null} onChange={() => set({ scenario: null })} /> Audit rotation{' '}
                <span className="muted">— per host: trusted first, then each other scenario once</span>
              </label>
              <label>
                <input type="radio" name="mode" checked={draft.scenario !== null} onChange={() => set({ scenario: draft.scenario ?? 'trusted' })} /> Force one scenario on every connection
              </label>
            </div>
            <label className="field">
              Scenario
              <select disabled={draft.scenario === null} value={draft.scenario ?? 'trusted'} onChange={(e) => set({ scenario: e.target.value as Scenario })}>
                {SCENARIO_LIST.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
          </SectionForm>

          <SectionForm title="Passthrough" onApply={() => apply({ passthrough: cleanList(draft.passthrough), autoPassthrough: draft.autoPassthrough })}>
            <ListEditor label="Tunnel these hosts untouched (glob, one per line)" value={draft.passthrough} onChange={(v) => set({ passthrough: v })} placeholder="*.apple.com" />
            <label className="check">
              <input type="checkbox" checked={draft.autoPassthrough} onChange={(e) => set({ autoPassthrough: e.target.checked })} /> Tunnel a host after it rejected the trusted
              certificate, so the app keeps working
            </label>
          </SectionForm>

          <SectionForm
            title="Client certificates (mTLS)"
            description="Presented upstream for matching hosts. Pinprobe also makes one probe without it, so both halves of the mTLS verdict are known."
            onApply={() => apply({ clientCerts: draft.clientCerts.filter((c) => c.host.trim() || c.cert.trim()), expectMtls: cleanList(draft.expectMtls), requestClientCert: draft.requestClientCert })}
          >
            <ClientCertRows value={draft.clientCerts} onChange={(v) => set({ clientCerts: v })} />
            <ListEditor label="Hosts expected to enforce mTLS (glob, one per line)" value={draft.expectMtls} onChange={(v) => set({ expectMtls: v })} placeholder="api.bank.example" />
            <label className="check">
              <input type="checkbox" checked={draft.requestClientCert} onChange={(e) => set({ requestClientCert: e.target.checked })} /> Ask the app for a client certificate too
            </label>
          </SectionForm>

          <SectionForm title="Map remote" description="Connect upstream elsewhere, keeping SNI and Host." onApply={() => apply({ mapRemote: draft.mapRemote.filter((r) => r.from.trim() || r.to.trim()) })}>
            <MapRemoteRows value={draft.mapRemote} onChange={(v) => set({ mapRemote: v })} />
          </SectionForm>

          <SectionForm title="Upstream trust" onApply={() => apply({ upstreamCa: cleanList(draft.upstreamCa), upstreamInsecure: draft.upstreamInsecure })}>
            <ListEditor label="Extra CA files trusted upstream (one path per line)" value={draft.upstreamCa} onChange={(v) => set({ upstreamCa: v })} placeholder="/path/to/staging-ca.pem" />
            {bridge()?.openFile ? (
              <button
                type="button"
                onClick={async () => {
                  const chosen = await bridge()?.openFile?.({ title: 'Upstream CA', filters: CERT_FILTERS });
                  if (chosen) set({ upstreamCa: [...cleanList(draft.upstreamCa), chosen] });
                }}
              >
                Add CA file…
              </button>
            ) : null}
            <label className="check danger">
              <input type="checkbox" checked={draft.upstreamInsecure} onChange={(e) => set({ upstreamInsecure: e.target.checked })} /> Skip upstream certificate verification
              (insecure: only for test backends)
            </label>
          </SectionForm>
        </>
      )}
    </div>
  );
}
