// Everything in the HTML report that came from a session (host names, URLs, alert names,
// details) is attacker-influenced: a host can be named `<script>`. Escape all of it. A
// bidirectional override or isolate becomes '?' as in the terminal (terminal-safe.ts): a
// browser would otherwise show `x\u202emoc.elpmaxe.dennip` as "x pinned.example.com".
import { BIDI_CONTROL_CLASS } from './terminal-safe.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch).replace(BIDI_CONTROLS, '?');
}

const BIDI_CONTROLS = new RegExp(`[${BIDI_CONTROL_CLASS}]`, 'g');
