// Text that came off the network (host names, reasons, URLs) printed to a terminal.
// Control characters could drive the terminal (escape sequences, carriage returns over
// earlier text); bidirectional overrides and isolates could make it read as something it is
// not ("Trojan Source": a host shown as pinned.example.com that is really moc.elpmaxe…).
// Each becomes '?', so a tester sees that something was there.

/** Bidirectional marks, embeddings, overrides and isolates, as a regex character class body. */
export const BIDI_CONTROL_CLASS = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';

const UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI_CONTROL_CLASS}]`, 'g');

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '?');
}
