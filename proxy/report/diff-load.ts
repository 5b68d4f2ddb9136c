// Reads and judges one side of `pinprobe diff`. Anything that is not a Pinprobe session
// (a HAR file, a report, a PEM…) is refused with a line naming the file and what it holds:
// a CI gate comparing the wrong files must fail, never pass on "no change".
import { judge } from '../judge/index.js';
import type { Report } from '../judge/report-types.js';
import { notASessionMessage } from '../session/not-a-session.js';
import { readSession } from '../session/reader.js';

export class DiffInputError extends Error {}

export async function judgeSessionFile(file: string): Promise<{ report: Report; warnings: string[] }> {
  const session = await readSession(file).catch((e: Error) => {
    throw new DiffInputError(e.message);
  });
  const wrong = await notASessionMessage(file, session);
  if (wrong) throw new DiffInputError(wrong);
  return { report: judge(session.header ? [session.header, ...session.events] : session.events, { file }), warnings: session.warnings };
}
