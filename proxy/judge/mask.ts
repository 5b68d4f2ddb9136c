// Secrets found in traffic are shown masked everywhere Pinprobe prints them (reports, UI
// findings): a short prefix says which key it is without handing the key to the reader.

/** "sk_live_abc…(32 chars)": at most 6 visible characters, never more than a third. */
export function maskSecret(value: string): string {
  const visible = Math.min(6, Math.floor(value.length / 3));
  return `${value.slice(0, visible)}…(${value.length} chars)`;
}
