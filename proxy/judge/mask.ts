// Secrets found in traffic are shown masked everywhere Pinprobe prints them (reports, UI
// findings): a short prefix says which key it is without handing the key to the reader.

/** "sk_live_abc…(32 chars)": at most 6 visible characters, never more than a third. */
export function maskSecret(value: string): string {
  const visible = Math.min(6, Math.floor(value.length / 3));
  return `${value.slice(0, visible)}…(${value.length} chars)`;
}

/**
 * A URL fit for a report: credential parameters' values and well-known key formats masked
 * (the session file keeps the URL as recorded).
 */
export function maskUrl(url: string, isCredentialParam: (name: string) => boolean, formats: ReadonlyArray<{ pattern: RegExp }>): string {
  let out = url.replace(/([?&])([^=&#]+)=([^&#]*)/g, (all, sep: string, name: string, value: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // keep the raw name
    }
    return isCredentialParam(decoded) && value !== '' ? `${sep}${name}=${maskSecret(value)}` : all;
  });
  for (const { pattern } of formats) out = out.replace(new RegExp(pattern.source, 'g'), (m) => maskSecret(m));
  return out;
}
