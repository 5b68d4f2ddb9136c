// The sessions recorded in the data dir, newest first, with their hosts and verdict
// counts; "Open" views one read-only. A browser has no file picker that yields a path, so
// this is how a recorded session is opened in `pinprobe ui` without typing one.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { SessionSummary } from '../api/types';
import { formatBytes, errorText } from '../lib/format';

const ORDER: Array<[string, string]> = [
  ['critical', 'critical'], ['high', 'high'], ['broken', 'broken validation'], ['not-pinned', 'not pinned'],
  ['pinned', 'pinned'], ['likely-pinned', 'likely pinned'], ['inconclusive', 'inconclusive'], ['cleartext', 'cleartext'],
];

function countsText(s: SessionSummary): string {
  if (s.hosts === null) return s.note ?? '';
  const parts = ORDER.filter(([k]) => (s.counts?.[k] ?? 0) > 0).map(([k, label]) => `${s.counts?.[k]} ${label}`);
  return [`${s.hosts} host${s.hosts === 1 ? '' : 's'}`, ...parts].join(' · ');
}

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function RecordedSessions({ busy, current, onOpen, refreshKey }: { busy: boolean; current: string | null; onOpen: (file: string) => void; refreshKey: unknown }) {
  const [list, setList] = useState<{ dir: string; sessions: SessionSummary[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<{ dir: string; sessions: SessionSummary[] }>('/api/sessions').then(
      (l) => {
        setList(l);
        setError(null);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [refreshKey]);
  if (error) return <p className="text-bad">Could not list recorded sessions: {error}</p>;
  if (!list) return <p className="muted">Listing recorded sessions…</p>;
  return (
    <section className="recorded" aria-label="Recorded sessions">
      <h3>Recorded sessions</h3>
      <p className="muted">
        In <span className="mono">{list.dir}</span>, newest first.
      </p>
      {list.sessions.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <ul className="sessions">
          {list.sessions.map((s) => (
            <li key={s.file}>
              <div className="session-main">
                <span className="mono" title={s.file}>{fileName(s.file)}</span>
                {s.file === current ? <span className="tag">current</span> : null}
                <span className="muted"> · {new Date(s.modified).toLocaleString()} · {formatBytes(s.size)}</span>
              </div>
              <div className="session-counts">{countsText(s)}</div>
              {s.hostNames.length ? <div className="muted mono session-hosts">{s.hostNames.join(', ')}{(s.hosts ?? 0) > s.hostNames.length ? ', …' : ''}</div> : null}
              <button type="button" disabled={busy || s.file === current} aria-label={`Open ${fileName(s.file)}`} onClick={() => onOpen(s.file)}>
                Open
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
