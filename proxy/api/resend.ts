// POST /api/resend: "Resend" and "Edit and resend" from Traffic. The original is a request
// line of the viewed session (read back in full when the live session evicted it); the
// resent request goes through the engine's upstream pool, and its lines go where the viewed
// session lives — the live session (the UI sees them arrive), or appended to the opened
// session file (then shown again, as a reopened session); from an imported HAR file they
// go to the live session (a HAR file is never written to). The answer is returned at once, so the
// UI can show it beside the original.
import { DEFAULT_BODY_CAP } from '../net/body-capture.js';
import { ResendFieldError, parseResendRequest, type ResendRequest } from '../resend/parse.js';
import { resendIdCounter, resendRequest, type ResendOutcome } from '../resend/send.js';
import type { RequestEvent } from '../session/events.js';
import { SessionWriter } from '../session/writer.js';
import { hooksOf, joinsLiveSession } from './backend-check.js';
import type { EngineControl } from './engine-port.js';
import { HttpError } from './http-util.js';
import type { SessionView } from './session-view.js';

export interface ResendAnswer {
  request: ResendOutcome['request'];
  response: ResendOutcome['response'];
  error: string | null;
}

/** Field problems become 400s that name the field (the UI shows them beside the input). */
export function parseResendBody(body: Record<string, unknown>): ResendRequest {
  try {
    return parseResendRequest(body);
  } catch (err) {
    if (err instanceof ResendFieldError) throw new HttpError(400, err.message, { field: err.field, detail: err.detail });
    throw err;
  }
}

export class Resender {
  /** The last resend id handed out: two resends at once never share one. */
  private issued = 0;

  constructor(private readonly engine: EngineControl, private readonly view: SessionView, private readonly timeoutMs = 30_000) {}

  async resend(ask: ResendRequest): Promise<ResendAnswer> {
    const hooks = hooksOf(this.engine);
    if (!hooks) throw new HttpError(501, 'this engine cannot resend requests');
    const lines = this.view.lines();
    let index = -1;
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = lines[i]!;
      if (l.type === 'request' && l.id === ask.of) {
        index = i;
        break;
      }
    }
    if (index < 0) throw new HttpError(404, `of: no request "${ask.of}" in the viewed session`, { field: 'of', detail: `no request "${ask.of}" in the viewed session` });
    const original = (await this.view.fullLine(index)) as RequestEvent | null;
    if (!original || original.type !== 'request' || original.evicted) {
      throw new HttpError(409, `of: request "${ask.of}" could not be read back in full from ${this.view.info().file}`, { field: 'of', detail: 'could not be read back in full from the session file' });
    }
    const info = this.view.info();
    // Before anything is sent: a file another running Pinprobe records is refused.
    const intoLive = joinsLiveSession(info, 'resend from that Pinprobe\'s UI, or stop it first');
    const next = resendIdCounter(lines)();
    const n = Math.max(Number(next.slice(1)), this.issued + 1);
    this.issued = n;
    let outcome: ResendOutcome;
    try {
      outcome = await resendRequest(original, ask, { pool: hooks.pool(), id: `s${n}`, timeoutMs: this.timeoutMs, bodyCap: DEFAULT_BODY_CAP });
    } catch (err) {
      if (err instanceof ResendFieldError) throw new HttpError(400, err.message, { field: err.field, detail: err.detail });
      throw err;
    }
    if (intoLive) {
      for (const line of outcome.lines) hooks.record(line);
      // Viewing that file: show it again with the new lines (status() writes them first).
      if (info.mode === 'file' && info.source !== 'har' && this.view.info().mode === 'file' && this.view.info().file === info.file) {
        this.engine.status();
        await this.view.open(info.file);
      }
    } else {
      const writer = SessionWriter.appendTo(info.file);
      for (const line of outcome.lines) writer.append(line);
      writer.close();
      // Still looking at that file: show it with the new lines, as a reopened session would.
      if (this.view.info().mode === 'file' && this.view.info().file === info.file) await this.view.open(info.file);
    }
    return { request: outcome.request, response: outcome.response, error: outcome.error };
  }
}
