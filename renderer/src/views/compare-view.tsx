// Compare two recorded sessions — an app's old build (A) and its new build (B) — host by
// host: "pinning lost", "validation now broken", new and gone hosts. The engine judges both
// and diffs them (GET /api/diff, the same as `pinprobe diff A B`); this view only picks the
// two files and shows the answer.
import { useEffect, useState } from 'react';
import { readableChanges } from '../../../proxy/report/diff-lines';
import { api } from '../api/client';
import type { DiffChange, DiffResponse, HostDiff, SessionDiff, SessionSummary } from '../api/types';
import { ErrorNote } from '../components/error-note';
import { errorText, hostWithPort } from '../lib/format';

const MARK: Record<DiffChange['kind'], string> = { regression: '✗', improvement: '✓', change: '~' };
const KIND_CLASS: Record<DiffChange['kind'], string> = { regression: 'text-bad', improvement: 'text-ok', change: 'text-muted' };
const STATUS_WORDS: Record<HostDiff['status'], string> = { added: 'new in B', removed: 'gone in B', changed: 'changed', unchanged: 'unchanged' };

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

const hostPort = (h: { host: string; port: number }): string => hostWithPort(h.host, h.port);

function optionText(s: SessionSummary): string {
  const when = new Date(s.started ?? s.modified).toLocaleString();
  return `${fileName(s.file)} · ${when} · ${s.hosts === null ? (s.note ?? 'not summarized') : `${s.hosts} host${s.hosts === 1 ? '' : 's'}`}`;
}

function summaryText(d: SessionDiff): string {
  const s = d.summary;
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  return [n(s.regressions, 'regression'), n(s.improvements, 'improvement'), n(s.changes, 'other change'), n(s.added, 'new host'), `${n(s.removed, 'host')} gone`, `${n(s.unchanged, 'host')} unchanged`].join(' · ');
}

function HostCard({ h }: { h: HostDiff }) {
  const regressed = h.changes.some((c) => c.kind === 'regression');
  return (
    <li className={`diff-host${regressed ? ' diff-regressed' : ''}`} aria-label={`${hostPort(h)}: ${STATUS_WORDS[h.status]}`}>
      <div className="diff-host-head">
        <span className="mono">{hostPort(h)}</span>
        <span className="tag">{STATUS_WORDS[h.status]}</span>
      </div>
      <ul className="diff-changes">
        {readableChanges(h).map((c, i) => (
          <li key={i} className={KIND_CLASS[c.kind]}>
            <span aria-hidden="true">{MARK[c.kind]} </span>
            <span className="visually-hidden">{c.kind}: </span>
            {c.text}
            {c.kind === 'regression' && c.severity && c.finding === undefined ? <span className={`badge tone-sev-${c.severity}`}>{c.severity}</span> : null}
          </li>
        ))}
      </ul>
    </li>
  );
}

export function DiffResult({ diff }: { diff: SessionDiff }) {
  const changed = diff.hosts.filter((h) => h.status !== 'unchanged');
  const same = diff.hosts.filter((h) => h.status === 'unchanged');
  return (
    <section className="diff-result" aria-label="What changed from A to B">
      <p className="diff-summary" role="status">
        <strong className={diff.summary.regressions > 0 ? 'text-bad' : 'text-ok'}>{summaryText(diff)}</strong>
      </p>
      {changed.length === 0 ? <p>No host changed between the two sessions.</p> : null}
      <ul className="diff-hosts">
        {changed.map((h) => (
          <HostCard key={`${h.host}:${h.port}`} h={h} />
        ))}
      </ul>
      {same.length > 0 ? <p className="muted">Unchanged: {same.map(hostPort).join(', ')}</p> : null}
    </section>
  );
}

export function CompareView() {
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [result, setResult] = useState<DiffResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.get<{ dir: string; sessions: SessionSummary[] }>('/api/sessions').then(
      (l) => {
        setSessions(l.sessions);
        // Newest is B (the new build), the one before it A.
        setB((cur) => cur || l.sessions[0]?.file || '');
        setA((cur) => cur || l.sessions[1]?.file || '');
      },
      (e: unknown) => setError(`Could not list recorded sessions: ${errorText(e)}`),
    );
  }, []);

  const compare = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api.get<DiffResponse>(`/api/diff?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`));
    } catch (e) {
      setResult(null);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const pick = (label: string, value: string, set: (v: string) => void, id: string) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => set(e.target.value)}>
        <option value="">Choose a recorded session…</option>
        {(sessions ?? []).map((s) => (
          <option key={s.file} value={s.file}>
            {optionText(s)}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <div className="compare">
      <section className="card" aria-labelledby="compare-title">
        <h2 id="compare-title">Compare two sessions</h2>
        <p className="muted">
          Record one session per build of the app, then see per host what changed: pinning lost, validation now broken, mTLS and cleartext
          changes, backend findings, new and gone hosts. The same as <code>pinprobe diff A B</code> on the command line.
        </p>
        {sessions !== null && sessions.length < 2 ? (
          <p className="note">Only {sessions.length} recorded session{sessions.length === 1 ? '' : 's'} so far: record another (Controls → New session) to compare two.</p>
        ) : null}
        <form
          className="compare-pick"
          onSubmit={(e) => {
            e.preventDefault();
            void compare();
          }}
        >
          {pick('A — old build', a, setA, 'compare-a')}
          {pick('B — new build', b, setB, 'compare-b')}
          <div className="button-row">
            <button type="submit" disabled={busy || !a || !b}>
              {busy ? 'Comparing…' : 'Compare'}
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                setA(b);
                setB(a);
              }}
            >
              Swap A and B
            </button>
          </div>
        </form>
        <ErrorNote error={error} />
      </section>
      {result ? (
        <section className="card" aria-labelledby="compare-result-title">
          <h2 id="compare-result-title">
            <span className="mono">{fileName(result.diff.a.file)}</span> → <span className="mono">{fileName(result.diff.b.file)}</span>
          </h2>
          {result.warnings.length ? <p className="muted">{result.warnings.length} warning(s): {result.warnings[0]}</p> : null}
          <DiffResult diff={result.diff} />
        </section>
      ) : null}
    </div>
  );
}
