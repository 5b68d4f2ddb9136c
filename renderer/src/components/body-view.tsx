// A recorded body: pretty JSON when it parses, text when UTF-8, a hex dump otherwise.
// Display is capped so a large body cannot freeze the pane; the true size is always said.
import { useMemo, useState } from 'react';
import type { BodyRecord } from '../api/types';
import { bodyBytes, hexDump } from '../lib/bytes';
import { formatBytes } from '../lib/format';

const TEXT_CAP = 64 * 1024;
const HEX_CAP = 4 * 1024;

function contentType(headers: Array<[string, string]>): string {
  return headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
}

function pretty(body: BodyRecord, type: string): { kind: 'json' | 'text' | 'hex'; text: string; shown: number } {
  if (body.encoding === 'base64') {
    const bytes = bodyBytes(body);
    return { kind: 'hex', text: hexDump(bytes, HEX_CAP), shown: Math.min(bytes.length, HEX_CAP) };
  }
  const looksJson = /json/i.test(type) || /^\s*[[{]/.test(body.data);
  if (looksJson && body.data.length <= TEXT_CAP && !body.truncated) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(body.data), null, 2), shown: body.data.length };
    } catch {
      // not JSON after all: shown as text
    }
  }
  const text = body.data.length > TEXT_CAP ? body.data.slice(0, TEXT_CAP) : body.data;
  return { kind: 'text', text, shown: new TextEncoder().encode(text).length };
}

export function BodyView({ body, headers, label }: { body: BodyRecord; headers: Array<[string, string]>; label: string }) {
  const [showHex, setShowHex] = useState(false);
  const view = useMemo(() => {
    if (showHex && body.encoding === 'utf8') {
      const bytes = bodyBytes(body);
      return { kind: 'hex' as const, text: hexDump(bytes, HEX_CAP), shown: Math.min(bytes.length, HEX_CAP) };
    }
    return pretty(body, contentType(headers));
  }, [body, headers, showHex]);
  if (body.size === 0) return <p className="muted">{label}: no body</p>;
  const recorded = bodyBytes(body).length;
  return (
    <section className="body-view" aria-label={label}>
      <header className="body-head">
        <h4>{label}</h4>
        <span className="muted">
          {formatBytes(body.size)}
          {view.kind === 'json' ? ' · JSON' : view.kind === 'hex' ? ' · binary (hex)' : ' · text'}
        </span>
        {body.encoding === 'utf8' ? (
          <button type="button" className="link-button" onClick={() => setShowHex((v) => !v)}>
            {showHex ? 'Show text' : 'Show hex'}
          </button>
        ) : null}
      </header>
      {body.truncated ? (
        <p className="note">Recorded the first {formatBytes(recorded)} of {formatBytes(body.size)} (the session's body cap).</p>
      ) : null}
      {view.shown < recorded ? <p className="note">Showing the first {formatBytes(view.shown)} of {formatBytes(recorded)}.</p> : null}
      <pre className={`code code-${view.kind}`} tabIndex={0}>{view.text}</pre>
    </section>
  );
}
