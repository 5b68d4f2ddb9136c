// One decoded JSON Web Token: where it was, its problems, its expiry in words, header and
// claims. Never verified (Pinprobe has no key). Used for tokens in headers/URLs and bodies.
import type { DecodedJwt } from '../../../proxy/judge/jwt';
import { jwtProblems } from '../../../proxy/judge/jwt';
import { jwtExpiryWords } from '../model/body-preview';

export function JwtCard({ token, seenAt }: { token: DecodedJwt; seenAt: number }) {
  const p = jwtProblems(token, seenAt);
  const problems = [
    p.algNone ? 'alg none: unsigned' : null,
    p.noExp ? 'no exp: never expires' : null,
    p.longLifetime !== null ? `valid ${Math.round(p.longLifetime / 3600)} h (over 24 h)` : null,
    p.inUrl ? 'sent in the URL' : null,
  ].filter((x): x is string => x !== null);
  return (
    <div className="jwt">
      <p className="muted">
        in {token.where}
        {problems.length ? ` · ${problems.join(' · ')}` : ''}
      </p>
      <p className="jwt-expiry">
        <strong>{String(token.header['alg'])}</strong> · {jwtExpiryWords(token.claims, seenAt)}
      </p>
      <pre aria-label="JWT header">{JSON.stringify(token.header, null, 2)}</pre>
      <pre aria-label="JWT claims">{JSON.stringify(token.claims, null, 2)}</pre>
    </div>
  );
}
