// "Resend" and "Edit and resend" for one request of Traffic (POST /api/resend): the engine
// sends it through its own upstream (same trust, map-remote and client certificates), and
// the answer is shown beside the original's. Variants one click away: without credentials
// (check-auth's list), with or without the client certificate configured for the host.
import { useEffect, useState } from 'react';
import { credentialCarriers } from '../../../proxy/judge/credentials';
import { hostGlobMatch } from '../../../proxy/host-glob';
import { api, ApiError } from '../api/client';
import type { EngineSettings, RequestEvent, ResponseEvent } from '../api/types';
import { errorText, formatBytes, formatMs } from '../lib/format';
import { BodyView } from './body-view';

interface ResendAnswer {
  request: RequestEvent;
  response: ResponseEvent | null;
  error: string | null;
}

type Variant = { label: string; credentials?: 'strip'; clientCert?: 'configured' | 'none' };

interface Draft {
  method: string;
  url: string;
  headers: string;
  body: string;
}

function headersText(headers: Array<[string, string]>): string {
  return headers.map(([n, v]) => `${n}: ${v}`).join('\n');
}

/** "Name: value" per line; a line without a colon is sent as a name the API refuses by field. */
function parseHeaderText(text: string): Array<[string, string]> {
  return text.split('\n').filter((l) => l.trim() !== '').map((line) => {
    const colon = line.indexOf(':', line.startsWith(':') ? 1 : 0);
    return colon < 0 ? [line.trim(), ''] : [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
  });
}

/** HTTP/2 pseudo-headers (":method", ":path"…) come from the method and URL fields; the form leaves them out. */
function draftOf(r: RequestEvent): Draft {
  return { method: r.method, url: r.url, headers: headersText(r.headers.filter(([n]) => !n.startsWith(':'))), body: r.body.encoding === 'utf8' ? r.body.data : '' };
}

function useClientCertFor(r: RequestEvent): boolean {
  const [globs, setGlobs] = useState<string[]>([]);
  useEffect(() => {
    let cancelled = false;
    api.get<EngineSettings>('/api/settings').then(
      (s) => !cancelled && setGlobs(s.clientCerts.map((c) => c.host.trim().toLowerCase())),
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return r.scheme === 'https' && globs.some((g) => hostGlobMatch(g, r.host, r.port));
}

function AnswerColumn({ title, response, error, note }: { title: string; response: ResponseEvent | null; error?: string | null; note?: string }) {
  return (
    <section className="resend-col" aria-label={title}>
      <h4>{title}</h4>
      {note ? <p className="muted">{note}</p> : null}
      {response ? (
        <>
          <p>
            <strong className={response.status >= 400 ? 'text-bad' : ''}>
              {response.status} {response.statusText}
            </strong>{' '}
            · {formatBytes(response.body.size)} · wait {formatMs(response.timings.waitMs)}
          </p>
          <BodyView body={response.body} headers={response.headers} label={`${title} body`} />
        </>
      ) : error ? (
        <p className="text-bad">{error}</p>
      ) : (
        <p className="muted">No response recorded.</p>
      )}
    </section>
  );
}

export function ResendPanel({ request, response, disabled }: { request: RequestEvent; response: ResponseEvent | null; disabled: boolean }) {
  const hasCert = useClientCertFor(request);
  const carriers = credentialCarriers(request.headers, request.url);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Draft>(() => draftOf(request));
  const [busy, setBusy] = useState<string | null>(null);
  const [answer, setAnswer] = useState<{ label: string; value: ResendAnswer } | null>(null);
  const [problem, setProblem] = useState<{ field: string | null; message: string } | null>(null);
  // Another request selected: start over.
  useEffect(() => {
    setEditing(false);
    setDraft(draftOf(request));
    setAnswer(null);
    setProblem(null);
  }, [request.id]); // eslint-disable-line react-hooks/exhaustive-deps

  const send = async (label: string, body: Record<string, unknown>) => {
    setBusy(label);
    setProblem(null);
    try {
      const value = await api.post<ResendAnswer>('/api/resend', { of: request.id, ...body });
      setAnswer({ label, value });
    } catch (err) {
      setProblem({ field: err instanceof ApiError ? (err.field ?? null) : null, message: err instanceof ApiError && err.detail ? err.detail : errorText(err) });
    } finally {
      setBusy(null);
    }
  };

  const variants: Variant[] = [{ label: 'Resend' }];
  if (carriers.length > 0) variants.push({ label: 'Resend without credentials', credentials: 'strip' });
  if (hasCert) variants.push({ label: 'Resend without client certificate', clientCert: 'none' }, { label: 'Resend with client certificate', clientCert: 'configured' });

  const fieldNote = (prefix: string) =>
    problem && problem.field !== null && (problem.field === prefix || problem.field.startsWith(`${prefix}.`)) ? (
      <span className="field-note text-bad" role="alert">
        {problem.field.startsWith('edit.headers.') ? `line ${Number(problem.field.split('.')[2]) + 1}: ` : ''}
        {problem.message}
      </span>
    ) : null;
  const editBody = (): Record<string, unknown> => {
    const edit: Record<string, unknown> = { method: draft.method.trim(), url: draft.url.trim(), headers: parseHeaderText(draft.headers) };
    // A binary body cannot be edited as text: it is resent as recorded unless the tester typed one.
    if (request.body.encoding === 'utf8' || draft.body !== '') edit['body'] = draft.body;
    return { edit };
  };

  return (
    <section className="resend" aria-label="Resend">
      <div className="actions">
        {variants.map((v) => (
          <button key={v.label} type="button" disabled={disabled || busy !== null} title={v.credentials ? `without ${carriers.join(', ')}` : undefined}
            onClick={() => void send(v.label, { ...(v.credentials ? { credentials: v.credentials } : {}), ...(v.clientCert ? { clientCert: v.clientCert } : {}) })}>
            {busy === v.label ? 'Sending…' : v.label}
          </button>
        ))}
        <button type="button" aria-expanded={editing} disabled={disabled} onClick={() => setEditing((e) => !e)}>
          Edit and resend
        </button>
      </div>
      {problem && (problem.field === null || !problem.field.startsWith('edit')) ? <p className="text-bad" role="alert">{problem.message}</p> : null}
      {editing ? (
        <form className="resend-form" aria-label="Edit request" onSubmit={(e) => {
          e.preventDefault();
          void send('Send edited', editBody());
        }}>
          <div className="resend-line">
            <label>
              Method
              <input value={draft.method} onChange={(e) => setDraft({ ...draft, method: e.target.value })} aria-invalid={fieldNote('edit.method') ? true : undefined} size={8} />
            </label>
            <label className="grow">
              URL
              <input value={draft.url} onChange={(e) => setDraft({ ...draft, url: e.target.value })} aria-invalid={fieldNote('edit.url') ? true : undefined} />
            </label>
          </div>
          {fieldNote('edit.method')}
          {fieldNote('edit.url')}
          <label>
            Headers (one “Name: value” per line)
            <textarea rows={Math.min(12, Math.max(3, request.headers.length + 1))} value={draft.headers} onChange={(e) => setDraft({ ...draft, headers: e.target.value })} aria-invalid={fieldNote('edit.headers') ? true : undefined} spellCheck={false} />
          </label>
          {fieldNote('edit.headers')}
          <label>
            Body{request.body.encoding === 'base64' ? ' (the recorded body is binary: leave empty to send it as recorded)' : ''}
            <textarea rows={4} value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} spellCheck={false} />
          </label>
          {fieldNote('edit.body')}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy !== null}>{busy === 'Send edited' ? 'Sending…' : 'Send'}</button>
            <button type="button" onClick={() => setDraft(draftOf(request))}>Reset to recorded</button>
          </div>
        </form>
      ) : null}
      {answer ? (
        <div className="resend-compare" role="region" aria-label="Resend result">
          <AnswerColumn title="Original response" response={response} />
          <AnswerColumn
            title={`${answer.label === 'Send edited' ? 'Edited' : answer.label} → response`}
            response={answer.value.response}
            error={answer.value.error}
            note={[
              `${answer.value.request.method} ${answer.value.request.url}`,
              answer.value.request.resend?.removed.length ? `without ${answer.value.request.resend.removed.join(', ')}` : '',
              answer.value.request.scheme === 'https'
                ? answer.value.request.resend?.clientCert ? `client certificate ${answer.value.request.resend.clientCert.subject}` : 'no client certificate'
                : '',
              `recorded as ${answer.value.request.id}`,
            ].filter(Boolean).join(' · ')}
          />
        </div>
      ) : null}
    </section>
  );
}
