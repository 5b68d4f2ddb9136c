// The upstream line of a fresh backend connection records how its first answer was judged
// (mTLS: did the backend complain about a missing client certificate?). For a status that
// may carry that complaint in its body (400/401/403: nginx's "No required SSL
// certificate was sent") the judgement waits for the body's first 4 KiB or its end;
// any other status is judged at once. HTTP/1.1, h1-to-h2, and both h2 paths share this.
import { bodyHeadText, classifyUpstreamAnswer, complaintNeedsBody } from '../observe/cert-complaint.js';
import type { BodyCapture } from './body-capture.js';

export type AnswerFields = ReturnType<typeof classifyUpstreamAnswer>;

const HEAD = 4096;

/**
 * `record` gets the fields once. Call `onData` after each body chunk was captured and
 * `decide` when the body ended (or the answer finished); `skip` (a reused connection,
 * recorded when it was opened) records nothing. `waitsForBody`: whether `onData` can decide
 * anything (else the caller need not listen for chunks).
 */
export function firstAnswerRecorder(
  answer: { status: number; statusText: string; contentEncoding: string | string[] | undefined },
  body: Pick<BodyCapture, 'head'>,
  record: (fields: AnswerFields) => void,
  skip = false,
): { onData: () => void; decide: () => void; waitsForBody: boolean } {
  let decided = skip;
  const needsBody = complaintNeedsBody(answer.status);
  const decide = (): void => {
    if (decided) return;
    decided = true;
    const text = needsBody ? bodyHeadText(body.head(HEAD), answer.contentEncoding) : '';
    record(classifyUpstreamAnswer(answer.status, answer.statusText, text));
  };
  if (!needsBody) decide();
  return { onData: () => !decided && body.head(HEAD).length >= HEAD && decide(), decide, waitsForBody: needsBody };
}
