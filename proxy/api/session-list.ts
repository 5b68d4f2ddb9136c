// The sessions recorded in the data dir, newest first, each with its hosts and verdict
// counts, so a tester opens one by picking it rather than typing an absolute path.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { judge } from '../judge/index.js';
import { readSession } from '../session/reader.js';
import { isSession } from '../session/not-a-session.js';
import type { SessionSummary } from './protocol.js';
import { authority } from '../net/authority.js';

export type { SessionSummary };

const MAX_LISTED = 50;
/** Bigger files are listed without verdicts: judging them would stall the list. */
const MAX_SUMMARIZED_BYTES = 32 * 1024 * 1024;

const cache = new Map<string, { key: string; summary: SessionSummary }>();

async function summarize(file: string, size: number, mtime: Date): Promise<SessionSummary> {
  const key = `${size}:${mtime.getTime()}`;
  const hit = cache.get(file);
  if (hit && hit.key === key) return hit.summary;
  const base: SessionSummary = { file, modified: mtime.toISOString(), size, started: null, hosts: null, counts: null, hostNames: [], note: null };
  let summary = base;
  if (size > MAX_SUMMARIZED_BYTES) summary = { ...base, note: 'large session: open it to see its verdicts' };
  else {
    try {
      const read = await readSession(file);
      if (!isSession(read)) summary = { ...base, note: 'not a Pinprobe session' };
      else {
        const report = judge(read.header ? [read.header, ...read.events] : read.events, { file });
        const counts: Record<string, number> = {};
        const add = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
        for (const h of report.hosts) {
          add(h.pinning);
          if (h.validation === 'broken') add('broken');
          if (h.cleartext) add('cleartext');
          for (const f of h.findings) if (f.severity === 'critical' || f.severity === 'high') add(f.severity);
        }
        summary = {
          ...base,
          started: report.session.started,
          hosts: report.hosts.length,
          counts,
          // As the hosts board names them: the port unless it is 443, IPv6 in brackets.
          hostNames: report.hosts.slice(0, 6).map((h) => authority(h.host, h.port, 'https')),
        };
      }
    } catch (err) {
      summary = { ...base, note: `unreadable: ${(err as Error).message}` };
    }
  }
  cache.set(file, { key, summary });
  return summary;
}

/** `dir`: DATA/sessions. A missing folder is an empty list. */
export async function listSessions(dir: string): Promise<SessionSummary[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files = await Promise.all(
    names
      .filter((n) => n.endsWith('.pinprobe.jsonl'))
      .map(async (n) => {
        const file = join(dir, n);
        const info = await stat(file).catch(() => null);
        return info?.isFile() ? { file, info } : null;
      }),
  );
  const found = files.filter((f): f is NonNullable<typeof f> => f !== null).sort((a, b) => b.info.mtimeMs - a.info.mtimeMs || b.file.localeCompare(a.file));
  const out: SessionSummary[] = [];
  for (const f of found.slice(0, MAX_LISTED)) out.push(await summarize(f.file, f.info.size, f.info.mtime));
  return out;
}
