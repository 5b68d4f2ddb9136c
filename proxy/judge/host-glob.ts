// Host globs as testers write them on the command line (`*.example.com`, `api.example.com:8443`).
// `*` spans any characters, dots included, so `*.example.com` also covers deeper names —
// a tester listing a domain means everything under it.

const cache = new Map<string, RegExp>();

function toRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    const body = glob
      .toLowerCase()
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`);
    cache.set(glob, re);
  }
  return re;
}

/** True when host (or host:port, for globs that name a port) matches any of the globs. */
export function matchesHostGlob(globs: readonly string[], host: string, port: number): boolean {
  const name = host.toLowerCase();
  const authority = name.includes(':') ? `[${name}]:${port}` : `${name}:${port}`;
  for (const raw of globs) {
    const glob = raw.trim();
    if (glob === '') continue;
    // A trailing :digits names a port, unless the glob is a bare IPv6 address.
    const namesPort = /:\d+$/.test(glob) && (glob.startsWith('[') || glob.indexOf(':') === glob.lastIndexOf(':'));
    if (toRegExp(glob).test(namesPort ? authority : name)) return true;
  }
  return false;
}
