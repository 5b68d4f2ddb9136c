// A gRPC body as its framed messages (1-byte flag, 4-byte length, message), each decoded
// as protobuf wire format without a schema: field numbers, wire types, strings as text,
// nested messages indented. Shown under the raw body for `application/grpc` bodies.
import { useMemo } from 'react';
import type { BodyRecord } from '../api/types';
import { bodyBytes } from '../lib/bytes';
import { decodeGrpcFrames, isGrpcContentType, type ProtoField } from '../../../proxy/session/grpc-frames';

const MAX_MESSAGES = 200;

function fieldLines(fields: ProtoField[], depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  for (const f of fields) {
    if (f.fields) {
      out.push(`${pad}${f.field}: {`);
      fieldLines(f.fields, depth + 1, out);
      out.push(`${pad}}`);
    } else if (f.text !== undefined) out.push(`${pad}${f.field}: ${JSON.stringify(f.text)}`);
    else if (f.hex !== undefined) out.push(`${pad}${f.field}: bytes ${f.hex}`);
    else out.push(`${pad}${f.field}: ${f.value ?? ''} (${f.wire})`);
  }
}

export function GrpcView({ body, headers, label }: { body: BodyRecord; headers: Array<[string, string]>; label: string }) {
  const grpc = isGrpcContentType(headers);
  const decoded = useMemo(() => (grpc && body.size > 0 ? decodeGrpcFrames(bodyBytes(body)) : null), [grpc, body]);
  if (!decoded) return null;
  const shown = decoded.messages.slice(0, MAX_MESSAGES);
  return (
    <section className="body-view" aria-label={label}>
      <header className="body-head">
        <h4>{label}</h4>
        <span className="muted">
          {decoded.messages.length} gRPC message{decoded.messages.length === 1 ? '' : 's'} · decoded without a schema
        </span>
      </header>
      {decoded.trailing > 0 ? <p className="note">{decoded.trailing} more bytes: a message cut by the session's body cap.</p> : null}
      {shown.map((m, i) => {
        const lines: string[] = [];
        if (m.fields) fieldLines(m.fields, 0, lines);
        return (
          <div key={i}>
            <p className="muted">
              Message {i + 1} · {m.length} bytes{m.compressed ? ' · compressed' : ''}
              {!m.compressed && !m.fields ? ' · not protobuf wire format' : ''}
            </p>
            {lines.length ? <pre className="code code-text" tabIndex={0}>{lines.join('\n')}</pre> : null}
          </div>
        );
      })}
      {decoded.messages.length > shown.length ? <p className="note">Showing the first {shown.length} messages.</p> : null}
    </section>
  );
}
