// A host's Backend section (SPEC "Backend"): what check-auth found without the app's
// credentials and under a burst, and the two opt-in actions. Both send real requests to the
// backend, so each asks for a confirmation that names the host before anything is sent.
import { useState } from 'react';
import { api } from '../api/client';
import type { HostVerdict } from '../api/types';
import { Badge } from '../components/badges';
import { ErrorNote } from '../components/error-note';
import { errorText, hostPort, hostWithPort } from '../lib/format';

type Pending = { kind: 'auth' } | { kind: 'burst'; n: number } | null;

const RESULT_TONE: Record<string, string> = { protected: 'good', unprotected: 'sev-high', unknown: 'muted' };
const RATE_LABEL: Record<string, string> = { throttled: 'Throttled', 'not-throttled': 'Not throttled', untested: 'Untested' };

export function BackendSection({ host }: { host: HostVerdict }) {
  const name = hostPort(host.host, host.port);
  // hostPort may drop :443 for display; the API wants the host:port the report uses.
  const confirmName = hostWithPort(host.host, host.port);
  const [pending, setPending] = useState<Pending>(null);
  const [burst, setBurst] = useState(20);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const backend = host.backend ?? { auth: [], rateLimit: 'untested' as const };

  const send = async (p: Exclude<Pending, null>) => {
    setPending(null);
    setError(null);
    try {
      const r = await api.post<{ planned: number }>('/api/backend-check', {
        host: host.host, port: host.port, kind: p.kind, burst: p.kind === 'burst' ? p.n : undefined, confirm: confirmName,
      });
      setNote(p.kind === 'auth' ? `Sending ${r.planned} request(s) without credentials to ${name} (at most 5 per second); results appear below.` : `Sending ${r.planned} copies to ${name} within 10 s; the result appears below.`);
    } catch (err) {
      setNote(null);
      setError(errorText(err));
    }
  };

  return (
    <section aria-label="Backend">
      <h3>Backend</h3>
      <dl className="facts">
        <dt>Without credentials</dt>
        <dd>{backend.auth.length === 0 ? <span className="muted">not checked</span> : `${backend.auth.filter((a) => a.result === 'unprotected').length} unprotected of ${backend.auth.length}`}</dd>
        <dt>Rate limit</dt>
        <dd>
          <Badge tone={backend.rateLimit === 'not-throttled' ? 'sev-low' : backend.rateLimit === 'throttled' ? 'good' : 'muted'}>{RATE_LABEL[backend.rateLimit] ?? backend.rateLimit}</Badge>
        </dd>
      </dl>
      {backend.auth.length > 0 ? (
        <div className="table-wrap">
          <table className="evidence" aria-label="Replayed without credentials">
            <thead>
              <tr>
                <th scope="col">Result</th>
                <th scope="col">Status</th>
                <th scope="col">Endpoint</th>
              </tr>
            </thead>
            <tbody>
              {backend.auth.map((a) => (
                <tr key={`${a.method} ${a.path}`}>
                  <td>
                    <Badge tone={RESULT_TONE[a.result] ?? 'muted'}>{a.result}</Badge>
                  </td>
                  <td>{a.status ?? '—'}</td>
                  <td className="wrap">
                    <code>
                      {a.method} {a.path}
                    </code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" onClick={() => setPending({ kind: 'auth' })}>
          Check without credentials
        </button>
        <label>
          Burst{' '}
          <input type="number" min={1} max={100} value={burst} aria-label="Burst size" onChange={(e) => setBurst(Math.max(1, Math.min(100, Number(e.target.value) || 1)))} />
        </label>
        <button type="button" onClick={() => setPending({ kind: 'burst', n: burst })}>
          Burst {burst}
        </button>
      </div>
      {pending ? (
        <div className="confirm" role="alertdialog" aria-label="Confirm backend check">
          <p>
            {pending.kind === 'auth'
              ? `Replay up to 50 recorded GET/HEAD requests to ${name} without their Authorization, Cookie and API-key credentials, at most 5 per second? The backend sees real requests from this computer.`
              : `Send ${pending.n} copies of one recorded request (with its credentials) to ${name} within 10 seconds? A backend may block this computer for a while.`}
          </p>
          <button type="button" className="primary" onClick={() => void send(pending)}>
            Send to {confirmName}
          </button>{' '}
          <button type="button" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      ) : null}
      {note ? <p className="muted" role="status">{note}</p> : null}
      <ErrorNote error={error} />
    </section>
  );
}

/** The hosts board's badge: shown once a check ran, worst result first. */
export function BackendBadge({ host }: { host: HostVerdict }) {
  const b = host.backend;
  if (!b || (b.auth.length === 0 && b.rateLimit === 'untested')) return null;
  const open = b.auth.filter((a) => a.result === 'unprotected').length;
  if (open > 0) return <Badge tone="sev-high" title="endpoints that answered without credentials">{`Backend: ${open} unprotected`}</Badge>;
  if (b.rateLimit === 'not-throttled') return <Badge tone="sev-low">Backend: not throttled</Badge>;
  return <Badge tone="good">Backend: protected</Badge>;
}
