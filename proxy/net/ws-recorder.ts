// Records the messages of one relayed WebSocket as `ws-message` lines: one frame parser per
// direction sees copies of the relayed chunks (never the relay itself), permessage-deflate
// messages are inflated for the record, and each payload is capped like a body.
import type { EngineBus } from '../engine-bus.js';
import type { BodyRecord, WebSocketMessageEvent } from '../session/events.js';
import { toBodyRecord } from './body-capture.js';
import { closeInfo, WsFrameParser, type WsMessage } from './ws-frames.js';
import { WsInflater } from './ws-inflate.js';

/**
 * Messages recorded per WebSocket; past it they are counted, not recorded, so a chatty
 * socket left open for hours does not fill the session and the UI's memory.
 */
export const WS_MESSAGE_LIMIT = 10_000;

type Direction = WebSocketMessageEvent['direction'];

export interface WsRecorderOptions {
  bus: EngineBus;
  ws: string;
  request: string;
  cap: number;
  /** The backend accepted permessage-deflate (its Sec-WebSocket-Extensions answer). */
  deflate: boolean;
  limit?: number;
}

export class WsRecorder {
  private readonly parsers: Record<Direction, WsFrameParser>;
  private readonly inflaters: Record<Direction, WsInflater>;
  readonly counts = { send: 0, receive: 0, notRecorded: 0 };
  /** Lines of each direction are emitted in order, inflated or not. */
  private order: Record<Direction, Promise<unknown>> = { send: Promise.resolve(), receive: Promise.resolve() };

  constructor(private readonly opts: WsRecorderOptions) {
    const parser = (direction: Direction) =>
      new WsFrameParser(opts.cap, (m) => this.message(direction, m), (why) =>
        opts.bus.emit({ type: 'error', time: new Date().toISOString(), id: opts.ws, message: `WebSocket ${opts.ws}: stopped reading the ${direction === 'send' ? "client's" : "server's"} frames (${why}); bytes are still relayed` }),
      );
    this.parsers = { send: parser('send'), receive: parser('receive') };
    this.inflaters = { send: new WsInflater(opts.cap), receive: new WsInflater(opts.cap) };
  }

  /** Bytes the client sent (after the upgrade request). */
  fromClient(chunk: Buffer): void {
    this.parsers.send.push(chunk);
  }

  /** Bytes the backend sent (after its 101). */
  fromServer(chunk: Buffer): void {
    this.parsers.receive.push(chunk);
  }

  /** Resolves once every parsed message has its line (inflation is asynchronous). */
  async settle(): Promise<void> {
    await Promise.all([this.order.send, this.order.receive]);
    this.inflaters.send.close();
    this.inflaters.receive.close();
  }

  private message(direction: Direction, m: WsMessage): void {
    if (this.counts.send + this.counts.receive >= (this.opts.limit ?? WS_MESSAGE_LIMIT)) {
      this.counts.notRecorded += 1;
      return;
    }
    this.counts[direction] += 1;
    const time = new Date().toISOString();
    const base = { type: 'ws-message', time, ws: this.opts.ws, request: this.opts.request, direction, opcode: m.opcode } as const;
    if (m.compressed && this.opts.deflate && m.opcode < 8) {
      const inflating = this.inflaters[direction].inflate(m.data, !m.truncated, m.size);
      this.order[direction] = Promise.all([this.order[direction], inflating]).then(([, r]) => {
        // Not inflated: the compressed bytes, cut to the cap like any payload.
        const data = r.inflated ? r.data : r.data.subarray(0, this.opts.cap);
        this.opts.bus.emit({ ...base, body: payloadRecord(m.opcode, data, r.size, r.inflated), ...(r.inflated ? { inflated: true } : { compressed: true }) });
      });
      return;
    }
    const line: WebSocketMessageEvent = { ...base, body: payloadRecord(m.opcode, m.data, m.size, true) };
    if (m.opcode === 8) line.close = closeInfo(m.data);
    // Behind a message still being inflated: wait for it, so lines keep the wire's order.
    this.order[direction] = this.order[direction].then(() => this.opts.bus.emit(line));
  }
}

/** Text as text (when it is valid UTF-8), everything else — binary, compressed — as base64. */
function payloadRecord(opcode: number, data: Buffer, size: number, plain: boolean): BodyRecord {
  if ((opcode === 1 || opcode === 9 || opcode === 10) && plain) return toBodyRecord(data, size);
  return { size, encoding: 'base64', data: data.toString('base64'), truncated: size > data.length };
}
