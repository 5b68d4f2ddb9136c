// Host globs as testers write them on the command line (`*.example.com`, `api.*`,
// `api.example.com:8443`, `[::1]:443`), shared by --passthrough, --client-cert and
// --expect-mtls. `*` spans any characters, dots included, so `*.example.com` covers deeper
// names too — a tester naming a domain means everything under it — but not the bare
// `example.com`. A glob that names a port matches that port only.

const cache = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    cache.set(pattern, re);
  }
  return re;
}

/** Case-insensitive; a trailing dot and IPv6 brackets are ignored on both sides. */
export function hostGlobMatch(glob: string, host: string, port?: number): boolean {
  let pattern = glob.trim().toLowerCase();
  if (pattern === '') return false;
  // "host:443" or "[::1]:443" carries a port; a bare IPv6 address (several colons) does not.
  if (/^\[.*\]:\d+$/.test(pattern) || /^[^:]+:\d+$/.test(pattern)) {
    const at = pattern.lastIndexOf(':');
    if (port !== undefined && Number(pattern.slice(at + 1)) !== port) return false;
    pattern = pattern.slice(0, at);
  }
  const name = host.trim().toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
  pattern = pattern.replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
  return pattern.includes('*') ? toRegExp(pattern).test(name) : pattern === name;
}

/** True when host:port matches any of the globs. */
export function matchesHostGlob(globs: readonly string[], host: string, port: number): boolean {
  return globs.some((g) => hostGlobMatch(g, host, port));
}
