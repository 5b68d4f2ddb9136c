// JSON Web Tokens a request carried, decoded (header and claims; not verified — Pinprobe
// has no key), with the same problems the report flags: alg none, no exp, over 24 h, in a URL,
// and the expiry in words.
import { jwtsInRequest } from '../../../proxy/judge/jwt';
import { JwtCard } from './jwt-card';
import type { RequestEvent } from '../api/types';

export function JwtView({ request }: { request: RequestEvent }) {
  if (!Array.isArray(request.headers)) return null;
  const tokens = jwtsInRequest(request.headers, request.url);
  if (tokens.length === 0) return null;
  const seenAt = Date.parse(request.time) || 0;
  return (
    <section aria-label="JSON Web Tokens">
      <h3>JSON Web Token{tokens.length > 1 ? `s (${tokens.length})` : ''}</h3>
      {tokens.map((t) => (
        <JwtCard key={t.token} token={t} seenAt={seenAt} />
      ))}
    </section>
  );
}
