// The messages of a WebSocket, under its upgrade request: one row per message with its
// direction (↑ sent by the app, ↓ received), time, kind, size and a preview; selecting one
// shows its whole recorded payload (text, or hex for binary).
import { useState } from 'react';
import type { WebSocketEvent, WebSocketMessageEvent } from '../api/types';
import { bodyBytes, hexDump } from '../lib/bytes';
import { formatBytes, formatClock } from '../lib/format';

const KINDS: Record<number, string> = { 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };
/** Rows drawn at once: a busy socket has thousands; older ones are a click away. */
const PAGE = 200;

function preview(m: WebSocketMessageEvent): string {
  if (m.opcode === 8) return m.close?.code != null ? `${m.close.code}${m.close.reason ? ` ${m.close.reason}` : ''}` : 'no status';
  if (m.body.encoding === 'utf8') return m.body.data.slice(0, 160);
  const bytes = bodyBytes({ ...m.body, data: m.body.data.slice(0, 64) });
  return Array.from(bytes.subarray(0, 24), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function Payload({ m }: { m: WebSocketMessageEvent }) {
  const text = m.body.encoding === 'utf8' ? m.body.data : hexDump(bodyBytes(m.body), 4096);
  return (
    <div className="ws-payload">
      {m.body.truncated ? <p className="note">Recorded the first {formatBytes(bodyBytes(m.body).length)} of {formatBytes(m.body.size)} (the session's body cap).</p> : null}
      {m.compressed ? <p className="note">Compressed (permessage-deflate) and could not be inflated: shown as sent.</p> : null}
      <pre className={`code code-${m.body.encoding === 'utf8' ? 'text' : 'hex'}`} tabIndex={0}>{text || '(empty)'}</pre>
    </div>
  );
}

export function WebSocketMessages({ messages, socket }: { messages: readonly WebSocketMessageEvent[]; socket: WebSocketEvent | null }) {
  const [open, setOpen] = useState<number | null>(null);
  const [shown, setShown] = useState(PAGE);
  const sent = messages.filter((m) => m.direction === 'send').length;
  const notRecorded = socket?.messages?.notRecorded ?? 0;
  return (
    <section className="ws-messages" aria-label="WebSocket messages">
      <h3>WebSocket messages</h3>
      <p className="muted">
        {messages.length} message{messages.length === 1 ? '' : 's'} · {sent} sent by the app ↑ · {messages.length - sent} received ↓
        {socket?.phase === 'closed' ? ' · closed' : socket?.phase === 'open' ? ' · open' : ''}
        {notRecorded > 0 ? ` · ${notRecorded} more not recorded (per-socket limit)` : ''}
      </p>
      {messages.length === 0 ? <p className="muted">No messages recorded yet.</p> : null}
      <ol className="ws-list">
        {messages.slice(0, shown).map((m, i) => (
          <li key={i} className={`ws-msg ws-${m.direction}`}>
            <button type="button" className="ws-row" aria-expanded={open === i} onClick={() => setOpen(open === i ? null : i)}>
              <span className="ws-dir" title={m.direction === 'send' ? 'sent by the app' : 'received by the app'}>{m.direction === 'send' ? '↑' : '↓'}</span>
              <span className="ws-time">{formatClock(m.time)}</span>
              <span className="ws-kind">{KINDS[m.opcode] ?? `opcode ${m.opcode}`}</span>
              <span className="ws-size">{formatBytes(m.body.size)}{m.body.truncated ? ' (cut)' : ''}</span>
              <span className="ws-preview">{preview(m)}</span>
            </button>
            {open === i ? <Payload m={m} /> : null}
          </li>
        ))}
      </ol>
      {messages.length > shown ? (
        <button type="button" onClick={() => setShown((n) => n + PAGE)}>
          Show {Math.min(PAGE, messages.length - shown)} more of {messages.length - shown}
        </button>
      ) : null}
    </section>
  );
}
