// The UI's live channel: every new session line as it is recorded (batched: the lines of
// a few milliseconds go out as one message, one JSON.stringify and one frame per client),
// and the judged verdicts at most 250 ms after the lines that changed them, so a new host
// shows on the board well within a second. Upgrades pass the same Host/Origin/token checks
// as HTTP.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { errorMessage } from './http-util.js';
import { checkHost, checkOrigin } from './request-guard.js';
import type { LiveMessage } from './protocol.js';
import type { SessionView } from './session-view.js';
import type { SessionLine } from '../session/events.js';
import { requestToken, tokenMatches } from './token.js';

export type { LiveMessage };

export const VERDICT_DELAY_MS = 250;
/** A client this far behind is dropped (close code 4000) and reconnects with `since`. */
const MAX_BUFFERED = 32 * 1024 * 1024;
export const RESYNC_CLOSE_CODE = 4000;
const REPLAY_CHUNK = 1000;
/** New lines wait this long to go out together (one message per batch instead of per line). */
export const LINE_BATCH_MS = 5;

export interface LiveSocketOptions {
  view: SessionView;
  port: () => number;
  token: string;
}

export class LiveSocket {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  /** How long the last judging took, to pace the next. */
  private lastJudgeMs = 0;
  private verdictTimer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;
  /**
   * Lines recorded but not yet sent, as JSON text: they are view lines pendingFrom…
   * (consecutive). Mostly the session file's own text of each line, so a line is not
   * stringified a second time for the UI.
   */
  private pending: string[] = [];
  private pendingFrom = 0;
  private lineTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: LiveSocketOptions) {
    this.unsubscribe = opts.view.onChange((change) => {
      if (change.kind === 'line') this.queueLine(change.index, change.line, change.json);
      else {
        // Lines of the old view are moot after a reset; the client re-fetches.
        this.dropPending();
        this.broadcast({ kind: 'reset', view: change.view });
      }
      this.scheduleVerdicts();
    });
  }

  private queueLine(index: number, line: SessionLine, json: string | null): void {
    if (this.wss.clients.size === 0) return;
    if (this.pending.length > 0 && index !== this.pendingFrom + this.pending.length) this.flushLines();
    if (this.pending.length === 0) this.pendingFrom = index;
    this.pending.push(json ?? JSON.stringify(line));
    this.lineTimer ??= setTimeout(() => this.flushLines(), LINE_BATCH_MS);
  }

  /** Sends the queued lines: one `line` message for a single line, else one `lines` message. */
  private flushLines(): void {
    if (this.lineTimer) clearTimeout(this.lineTimer);
    this.lineTimer = null;
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    // The text JSON.stringify gives for the `line` / `lines` message, spliced from the lines' texts.
    this.broadcastText(
      lines.length === 1
        ? `{"kind":"line","index":${this.pendingFrom},"line":${lines[0]!}}`
        : `{"kind":"lines","from":${this.pendingFrom},"lines":[${lines.join(',')}]}`,
    );
  }

  private dropPending(): void {
    if (this.lineTimer) clearTimeout(this.lineTimer);
    this.lineTimer = null;
    this.pending = [];
  }

  /** Handles an HTTP upgrade; refuses (and closes) anything that is not our UI. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const port = this.opts.port();
    const failure =
      checkHost(req, port) ??
      checkOrigin(req, port) ??
      (url.pathname !== '/api/live' ? { status: 404, error: `no WebSocket at ${url.pathname}; use /api/live` } : null) ??
      (tokenMatches(this.opts.token, requestToken(req, url)) ? null : { status: 401, error: 'missing or wrong token' });
    if (failure) {
      refuseUpgrade(socket, failure.status, failure.error);
      return;
    }
    const since = Math.max(0, Number.parseInt(url.searchParams.get('since') ?? '0', 10) || 0);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.welcome(ws, since));
  }

  close(): void {
    this.unsubscribe();
    this.dropPending();
    if (this.verdictTimer) clearTimeout(this.verdictTimer);
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  /** Sends the view, the lines the client has not seen yet, and the current verdicts. */
  private welcome(ws: WebSocket, since: number): void {
    ws.on('error', () => ws.terminate());
    // The UI never sends anything meaningful; ignore whatever arrives.
    ws.on('message', () => undefined);
    const { view } = this.opts;
    send(ws, { kind: 'hello', view: view.info() });
    // Queued lines reach this client with their batch; replay up to them only.
    const upTo = this.pending.length > 0 ? this.pendingFrom : view.lineCount();
    // Chunks, not one message per line: a 20,000-line session replays in a blink.
    for (let from = Math.min(since, upTo); from < upTo; from += REPLAY_CHUNK) {
      send(ws, { kind: 'lines', from, lines: [...view.linesFrom(from, Math.min(upTo, from + REPLAY_CHUNK))] });
    }
    const report = this.safeReport();
    send(ws, report);
  }

  private safeReport(): LiveMessage {
    try {
      const started = performance.now();
      const report = this.opts.view.report();
      this.lastJudgeMs = performance.now() - started;
      return { kind: 'verdicts', report };
    } catch (err) {
      return { kind: 'error', error: `could not judge the session: ${errorMessage(err)}` };
    }
  }

  /**
   * Throttled, not debounced: steady traffic must not postpone verdicts forever. The wait
   * grows with the judge's last run (at most ~20% of the engine's time goes to judging),
   * so a very long session under steady traffic does not starve the proxy itself.
   */
  private scheduleVerdicts(): void {
    if (this.verdictTimer) return;
    this.verdictTimer = setTimeout(() => {
      this.verdictTimer = null;
      if (this.wss.clients.size === 0) return;
      // Verdicts never arrive before the lines they were judged from.
      this.flushLines();
      this.broadcast(this.safeReport());
    }, Math.max(VERDICT_DELAY_MS, Math.round(this.lastJudgeMs * 4)));
  }

  private broadcast(message: LiveMessage): void {
    if (this.wss.clients.size === 0) return;
    this.broadcastText(JSON.stringify(message));
  }

  private broadcastText(text: string): void {
    for (const ws of this.wss.clients) {
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.close(RESYNC_CLOSE_CODE, 'too far behind; reconnect with since');
        continue;
      }
      if (ws.readyState === ws.OPEN) ws.send(text);
    }
  }
}

function send(ws: WebSocket, message: LiveMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

function refuseUpgrade(socket: Duplex, status: number, error: string): void {
  const body = JSON.stringify({ error });
  const reason = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 421 ? 'Misdirected Request' : 'Not Found';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
