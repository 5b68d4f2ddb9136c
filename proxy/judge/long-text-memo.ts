// Apps send the same cookie, bearer token and API key with every request, and the live
// verdicts scan every request: what a scan finds in one long header or URL value is kept,
// keyed by the text, for the newest few hundred texts. Short texts are cheaper to scan than
// to look up; texts the size of a body (the UI scans bodies with the same code) are not
// kept. Free of Node APIs: the renderer imports the scans too.

const FROM = 64;
/** Node takes at most 16 KiB of headers. */
const UNTIL = 16 * 1024;

/** `scan` with its results for texts of FROM..UNTIL characters kept (the newest `kept`; all dropped when full). */
export function longTextMemo<T extends NonNullable<unknown> | null>(scan: (text: string) => T, kept: number): (text: string) => T {
  const known = new Map<string, T>();
  return (text) => {
    if (text.length < FROM || text.length > UNTIL) return scan(text);
    const hit = known.get(text);
    if (hit !== undefined) return hit;
    const result = scan(text);
    if (known.size >= kept) known.clear();
    known.set(text, result);
    return result;
  };
}
