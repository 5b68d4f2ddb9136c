// JSON Web Tokens a request carried, decoded (header and claims; not verified — Pinprobe
// has no key), with the same problems the report flags: alg none, no exp, over 24 h, in a URL.
import { jwtProblems, jwtsInRequest } from '../../../proxy/judge/jwt';
import type { RequestEvent } from '../api/types';

export function JwtView({ request }: { request: RequestEvent }) {
  if (!Array.isArray(request.headers)) return null;
  const tokens = jwtsInRequest(request.headers, request.url);
  if (tokens.length === 0) return null;
  const seenAt = Date.parse(request.time) || 0;
  return (
    <section aria-label="JSON Web Tokens">
      <h3>JSON Web Token{tokens.length > 1 ? `s (${tokens.length})` : ''}</h3>
      {tokens.map((t) => {
        const p = jwtProblems(t, seenAt);
        const problems = [
          p.algNone ? 'alg none: unsigned' : null,
          p.noExp ? 'no exp: never expires' : null,
          p.longLifetime !== null ? `valid ${Math.round(p.longLifetime / 3600)} h (over 24 h)` : null,
          p.inUrl ? 'sent in the URL' : null,
        ].filter((x): x is string => x !== null);
        return (
          <div key={t.token} className="jwt">
            <p className="muted">
              in {t.where}
              {problems.length ? ` · ${problems.join(' · ')}` : ''}
            </p>
            <pre aria-label="JWT header">{JSON.stringify(t.header, null, 2)}</pre>
            <pre aria-label="JWT claims">{JSON.stringify(t.claims, null, 2)}</pre>
          </div>
        );
      })}
    </section>
  );
}
