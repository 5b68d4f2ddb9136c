// Controls: proxy and session actions, exports, and the engine settings (scenario,
// passthrough, client certificates, map-remote, upstream trust, timeouts and limits).
import { useEffect, useId, useState } from 'react';
import { api, downloadFile } from '../api/client';
import type { ClientCertSetting, EngineSettings, MapRemoteRule, Scenario, StatusResponse, ViewInfo } from '../api/types';
import { SCENARIO_LIST } from '../api/types';
import { ErrorNote } from '../components/error-note';
import { useFieldError } from '../components/field-error';
import { ListEditor, cleanList } from '../components/list-editor';
import { PathField } from '../components/path-field';
import { RecordedSessions } from '../components/recorded-sessions';
import { SectionForm } from '../components/section-form';
import { bridge } from '../bridge';
import { LIMIT_FIELDS } from '../../../proxy/limit-fields';
import { LimitsSection } from './limits-section';
import { EXPORTS, hasNativeDialogs, newSession, openSession, OPEN_FILTERS, pickAndExport, saveSessionAs, SESSION_FILTERS, type ActionResult, type ExportFormat } from '../lib/file-actions';
import { errorText } from '../lib/format';

export interface ControlsViewProps {
  status: StatusResponse | null;
  settings: EngineSettings | null;
  onSettings: (s: EngineSettings) => void;
  onStatus: (s: StatusResponse) => void;
}

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

const EXPORT_ORDER: ExportFormat[] = ['har', 'html', 'json', 'junit', 'text'];

function ProxyAndSession({ status, onStatus }: Pick<ControlsViewProps, 'status' | 'onStatus'>) {
  const [error, busy, run] = useAction();
  const [openPath, setOpenPath] = useState('');
  const [savePath, setSavePath] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const running = status?.engine.running ?? false;
  const view: ViewInfo | undefined = status?.view;
  const native = hasNativeDialogs();
  /** Runs an action and reports its outcome in this card. */
  const act = (fn: () => Promise<ActionResult>) =>
    run(async () => {
      setNote(null);
      const res = await fn();
      if (res?.status) onStatus(res.status);
      if (res) setNote(res.message);
    });
  return (
    <section className="card" aria-labelledby="proxy-title">
      <h2 id="proxy-title">Proxy and session</h2>
      <p>
        Proxy <strong className={running ? 'text-ok' : 'text-warn'}>{running ? 'running' : 'stopped'}</strong>
        {status ? (
          <>
            {' '}
            on <span className="mono">{status.engine.listen.includes(':') ? `[${status.engine.listen}]` : status.engine.listen}:{status.engine.port}</span>
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
        <button type="button" disabled={busy} onClick={() => act(newSession)}>
          New session
        </button>
        {view?.mode === 'file' ? (
          <button type="button" disabled={busy} onClick={() => run(async () => { await api.post('/api/session/live'); onStatus(await api.get<StatusResponse>('/api/status')); })}>
            Back to live
          </button>
        ) : null}
      </div>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void act(() => openSession(openPath.trim()));
        }}
      >
        <PathField label="Open a session file (read-only)" value={openPath} onChange={setOpenPath} placeholder="/path/to/session.pinprobe.jsonl or .har" filters={OPEN_FILTERS} />
        <button type="submit" disabled={busy || openPath.trim() === ''}>
          Open
        </button>
      </form>
      <RecordedSessions busy={busy} current={view?.file ?? null} refreshKey={view?.file} onOpen={(file) => void act(() => openSession(file))} />
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          // A native save dialog has already asked before replacing a file; a typed path has not.
          void act(() => saveSessionAs(savePath.trim(), native));
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
        {EXPORT_ORDER.map((f) =>
          native ? (
            <button key={f} type="button" disabled={busy} onClick={() => act(() => pickAndExport(f))}>
              {EXPORTS[f].label}…
            </button>
          ) : (
            <a
              key={f}
              className="button"
              href={EXPORTS[f].href}
              onClick={(e) => {
                e.preventDefault();
                void run(() => downloadFile(EXPORTS[f].href));
              }}
            >
              {EXPORTS[f].label}
            </a>
          ),
        )}
      </div>
    </section>
  );
}

/** A labelled text input that shows an error the API attributes to `field`. */
function TextField({ label, value, onChange, field, placeholder, type = 'text' }: { label: string; value: string; onChange: (v: string) => void; field: string; placeholder?: string; type?: 'text' | 'password' }) {
  const id = useId();
  const err = useFieldError(field);
  return (
    <div className={`field${err.message ? ' invalid' : ''}`} data-field={field}>
      <label htmlFor={id}>{label}</label>
      <input id={id} type={type} autoComplete="off" spellCheck={false} value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} {...err.inputProps} />
      {err.note}
    </div>
  );
}

function ClientCertRows({ value, onChange }: { value: ClientCertSetting[]; onChange: (v: ClientCertSetting[]) => void }) {
  const update = (i: number, patch: Partial<ClientCertSetting>) => onChange(value.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <div className="rows">
      {value.map((c, i) => (
        <fieldset key={i} className="row-set">
          <legend>Client certificate {i + 1}</legend>
          <TextField label="Host glob" field={`clientCerts.${i}.host`} value={c.host} placeholder="api.example.com or *.example.com" onChange={(v) => update(i, { host: v })} />
          <PathField label="Certificate (PEM) or .p12" field={`clientCerts.${i}.cert`} value={c.cert} onChange={(v) => update(i, { cert: v })} filters={CERT_FILTERS} placeholder="/path/to/client.pem or client.p12" />
          <PathField label="Key (PEM; empty for .p12)" field={`clientCerts.${i}.key`} value={c.key ?? ''} onChange={(v) => update(i, { key: v || undefined })} filters={CERT_FILTERS} placeholder="/path/to/client-key.pem" />
          <TextField label="Passphrase (.p12)" type="password" field={`clientCerts.${i}.passphrase`} value={c.passphrase ?? ''} onChange={(v) => update(i, { passphrase: v || undefined })} />
          <button type="button" className="link-button" aria-label={`Remove client certificate ${i + 1}`} onClick={() => onChange(value.filter((_, j) => j !== i))}>
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

function MapRemoteRow({ index: i, rule: r, update, remove }: { index: number; rule: MapRemoteRule; update: (patch: Partial<MapRemoteRule>) => void; remove: () => void }) {
  const err = useFieldError(`mapRemote.${i}`);
  return (
    <div data-field={`mapRemote.${i}`} className={err.message ? 'invalid' : undefined}>
      <div className="map-row">
        <input type="text" aria-label={`Rule ${i + 1}: from host[:port]`} placeholder="api.example.com:443" value={r.from} onChange={(e) => update({ from: e.target.value })} {...err.inputProps} />
        <span aria-hidden="true">→</span>
        <input type="text" aria-label={`Rule ${i + 1}: to address:port`} placeholder="10.0.0.5:8443" value={r.to} onChange={(e) => update({ to: e.target.value })} {...err.inputProps} />
        <button type="button" className="link-button" aria-label={`Remove rule ${i + 1}`} onClick={remove}>
          Remove
        </button>
      </div>
      {err.note}
    </div>
  );
}

function MapRemoteRows({ value, onChange }: { value: MapRemoteRule[]; onChange: (v: MapRemoteRule[]) => void }) {
  const update = (i: number, patch: Partial<MapRemoteRule>) => onChange(value.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="rows">
      {value.map((r, i) => (
        <MapRemoteRow key={i} index={i} rule={r} update={(p) => update(i, p)} remove={() => onChange(value.filter((_, j) => j !== i))} />
      ))}
      <button type="button" onClick={() => onChange([...value, { from: '', to: '' }])}>
        Add rule
      </button>
    </div>
  );
}

type Sources = { file: string; sources: Partial<Record<keyof EngineSettings, string>>; warning?: string } | null;

/** "From the command line" / "saved in …" / "defaults", for the keys a section edits. */
function originText(src: Sources, keys: Array<keyof EngineSettings>): string | null {
  if (!src) return null;
  const parts = new Map<string, string[]>();
  for (const k of keys) {
    const from = src.sources[k] ?? 'default';
    const label = from === 'command line' ? 'from the command line' : from === 'saved' || from === 'ui' ? `saved from the UI in ${src.file}` : 'defaults';
    parts.set(label, [...(parts.get(label) ?? []), k]);
  }
  if (parts.size === 1) return `Current values: ${[...parts.keys()][0]}. Changes are saved and kept after a restart.`;
  return `Current values: ${[...parts].map(([label, ks]) => `${ks.join(', ')} ${label}`).join('; ')}. Changes are saved and kept after a restart.`;
}

export function ControlsView({ status, settings, onSettings, onStatus }: ControlsViewProps) {
  const [draft, setDraft] = useState<EngineSettings | null>(settings);
  const [sources, setSources] = useState<Sources>(null);
  useEffect(() => setDraft(settings), [settings]);
  useEffect(() => {
    void api.get<Sources>('/api/settings/sources').then(setSources, () => setSources(null));
  }, [settings]);
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
          <SectionForm title="Certificate scenario" takesEffect="new connections get it from now on; earlier ones keep the certificate they were shown" origin={originText(sources, ['scenario'])} onApply={() => apply({ scenario: draft.scenario })}>
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

          <SectionForm title="Passthrough" takesEffect="applies to new connections from now on" origin={originText(sources, ['passthrough', 'autoPassthrough'])} onApply={() => apply({ passthrough: cleanList(draft.passthrough), autoPassthrough: draft.autoPassthrough })}>
            <ListEditor field="passthrough" label="Tunnel these hosts untouched (glob, one per line)" value={draft.passthrough} onChange={(v) => set({ passthrough: v })} placeholder="*.apple.com" />
            <label className="check">
              <input type="checkbox" checked={draft.autoPassthrough} onChange={(e) => set({ autoPassthrough: e.target.checked })} /> Tunnel a host after it rejected the trusted
              certificate, so the app keeps working
            </label>
          </SectionForm>

          <SectionForm
            title="Client certificates (mTLS)"
            takesEffect="hosts expected to enforce mTLS are re-judged now (this session's verdicts updated); certificates are used on the next upstream connection"
            origin={originText(sources, ['clientCerts', 'expectMtls', 'requestClientCert'])}
            description="Presented upstream for matching hosts. Pinprobe also makes one probe without it, so both halves of the mTLS verdict are known."
            onApply={() => apply({ clientCerts: draft.clientCerts.filter((c) => c.host.trim() || c.cert.trim()), expectMtls: cleanList(draft.expectMtls), requestClientCert: draft.requestClientCert })}
          >
            <ClientCertRows value={draft.clientCerts} onChange={(v) => set({ clientCerts: v })} />
            <ListEditor field="expectMtls" label="Hosts expected to enforce mTLS (glob, one per line)" value={draft.expectMtls} onChange={(v) => set({ expectMtls: v })} placeholder="api.bank.example" />
            <label className="check">
              <input type="checkbox" checked={draft.requestClientCert} onChange={(e) => set({ requestClientCert: e.target.checked })} /> Ask the app for a client certificate too
            </label>
          </SectionForm>

          <SectionForm title="Map remote" takesEffect="applies to new upstream connections from now on" origin={originText(sources, ['mapRemote'])} description="Connect upstream elsewhere, keeping SNI and Host." onApply={() => apply({ mapRemote: draft.mapRemote.filter((r) => r.from.trim() || r.to.trim()) })}>
            <MapRemoteRows value={draft.mapRemote} onChange={(v) => set({ mapRemote: v })} />
          </SectionForm>

          <SectionForm title="Upstream trust" takesEffect="applies to new upstream connections from now on" origin={originText(sources, ['upstreamCa', 'upstreamInsecure'])} onApply={() => apply({ upstreamCa: cleanList(draft.upstreamCa), upstreamInsecure: draft.upstreamInsecure })}>
            <ListEditor field="upstreamCa" label="Extra CA files trusted upstream (one path per line)" value={draft.upstreamCa} onChange={(v) => set({ upstreamCa: v })} placeholder="/path/to/staging-ca.pem" />
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

          {settings ? <LimitsSection settings={settings} status={status?.engine ?? null} origin={originText(sources, LIMIT_FIELDS.map((f) => f.key))} onSettings={onSettings} /> : null}
        </>
      )}
    </div>
  );
}
