// A recorded body with the preview that fits it (model/body-preview.ts): an image, a
// folding JSON tree, a form as a table, text, and a hex dump only when nothing else fits
// (binary). "Raw" and "Hex" are one click away; JWTs found in the body are decoded under
// it. Display is capped so a large body cannot freeze the pane; the true size is always said.
import { useMemo, useState, type ReactNode } from 'react';
import type { BodyRecord } from '../api/types';
import { bodyBytes, hexDump } from '../lib/bytes';
import { formatBytes } from '../lib/format';
import { choosePreview, jwtsInBody, type MultipartPart, type Preview } from '../model/body-preview';
import { JsonTree } from './json-tree';
import { JwtCard } from './jwt-card';
import { NameValueRows } from './name-value-rows';

const TEXT_CAP = 64 * 1024;
const HEX_CAP = 4 * 1024;

type Mode = 'preview' | 'raw' | 'hex';

function contentType(headers: Array<[string, string]>): string {
  return headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
}

const KIND_WORDS: Record<Preview['kind'], string> = {
  image: 'image',
  'image-too-big': 'image',
  json: 'JSON',
  form: 'form',
  multipart: 'multipart form',
  text: 'text',
  hex: 'binary (hex)',
};

const clip = (value: string) => (value.length > 2000 ? `${value.slice(0, 2000)}…` : value);

function FieldTable({ rows, label }: { rows: Array<[string, ReactNode]>; label: string }) {
  return (
    <table className="headers form-fields" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        <NameValueRows rows={rows} />
      </tbody>
    </table>
  );
}

/** Multipart parts as field rows: a file part says its name, type and size instead of its bytes. */
function partRows(parts: MultipartPart[]): Array<[string, ReactNode]> {
  return parts.map((p) => [
    p.name ?? '(no name)',
    p.filename !== null ? (
      <span>
        file <span className="mono">{p.filename}</span> · {p.type ?? 'no type'} · {formatBytes(p.size)}
      </span>
    ) : (
      clip(p.value ?? '')
    ),
  ]);
}

function rawText(body: BodyRecord): { text: string; shown: number } {
  const text = body.data.length > TEXT_CAP ? body.data.slice(0, TEXT_CAP) : body.data;
  return { text, shown: new TextEncoder().encode(text).length };
}

export function BodyView({ body, headers, label, seenAt }: { body: BodyRecord; headers: Array<[string, string]>; label: string; seenAt?: number }) {
  const preview = useMemo(() => choosePreview(body, contentType(headers)), [body, headers]);
  const tokens = useMemo(() => jwtsInBody(body), [body]);
  const [chosen, setChosen] = useState<Mode>('preview');
  // A binary body has no raw text: its preview (or hex) is all there is.
  const modes: Mode[] = body.encoding === 'base64' ? (preview.kind === 'hex' ? ['hex'] : ['preview', 'hex']) : preview.kind === 'text' ? ['preview', 'hex'] : ['preview', 'raw', 'hex'];
  const mode = modes.includes(chosen) ? chosen : modes[0]!;
  const bytes = useMemo(() => (mode === 'hex' ? bodyBytes(body) : null), [body, mode]);
  if (body.size === 0) return <p className="muted">{label}: no body</p>;
  const recorded = body.encoding === 'base64' ? Math.floor((body.data.length * 3) / 4) - (body.data.endsWith('==') ? 2 : body.data.endsWith('=') ? 1 : 0) : new TextEncoder().encode(body.data).length;
  let shownNote: string | null = null;
  let content;
  if (mode === 'hex') {
    const b = bytes!;
    if (b.length > HEX_CAP) shownNote = `Showing the first ${formatBytes(HEX_CAP)} of ${formatBytes(b.length)}.`;
    content = <pre className="code code-hex" tabIndex={0}>{hexDump(b, HEX_CAP)}</pre>;
  } else if (mode === 'raw' || preview.kind === 'text') {
    const raw = rawText(body);
    if (raw.shown < recorded) shownNote = `Showing the first ${formatBytes(raw.shown)} of ${formatBytes(recorded)}.`;
    content = <pre className="code code-text" tabIndex={0}>{raw.text}</pre>;
  } else if (preview.kind === 'image') {
    content = (
      <figure className="body-image">
        <img src={preview.dataUrl} alt={`${label}: ${preview.mime}${body.truncated ? ' (cut short by the body cap)' : ''}`} />
        <figcaption className="muted">{preview.mime}</figcaption>
      </figure>
    );
  } else if (preview.kind === 'image-too-big') {
    content = <p className="note">A {preview.mime} image of {formatBytes(recorded)}: too big to draw here. Hex shows its first bytes.</p>;
  } else if (preview.kind === 'json') {
    content = <JsonTree value={preview.value} label={`${label} JSON`} />;
  } else if (preview.kind === 'form') {
    content = <FieldTable rows={preview.fields.map(([n, v]) => [n, clip(v)])} label="Form fields" />;
  } else if (preview.kind === 'multipart') {
    content = <FieldTable rows={partRows(preview.parts)} label="Form fields" />;
  } else {
    content = null;
  }
  return (
    <section className="body-view" aria-label={label}>
      <header className="body-head">
        <h4>{label}</h4>
        <span className="muted">
          {formatBytes(body.size)} · {KIND_WORDS[preview.kind]}
        </span>
        {modes.length > 1 ? (
          <span className="body-modes" role="group" aria-label={`${label} view`}>
            {modes.map((m) => (
              <button key={m} type="button" className={m === mode ? 'mode on' : 'mode'} aria-pressed={m === mode} onClick={() => setChosen(m)}>
                {m === 'preview' ? 'Preview' : m === 'raw' ? 'Raw' : 'Hex'}
              </button>
            ))}
          </span>
        ) : null}
      </header>
      {body.truncated ? (
        <p className="note">
          Recorded the first {formatBytes(recorded)} of {formatBytes(body.size)} (the session's body cap)
          {preview.kind === 'image' && mode === 'preview' ? '; the image may be cut off.' : '.'}
        </p>
      ) : null}
      {shownNote ? <p className="note">{shownNote}</p> : null}
      {content}
      {tokens.length > 0 ? (
        <section aria-label={`JSON Web Tokens in the ${label.toLowerCase()}`}>
          <h4>JSON Web Token{tokens.length > 1 ? `s (${tokens.length})` : ''} in this body</h4>
          {tokens.map((t) => (
            <JwtCard key={t.token} token={t} seenAt={seenAt ?? Date.now()} />
          ))}
        </section>
      ) : null}
    </section>
  );
}
