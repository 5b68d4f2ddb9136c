// A passive WebSocket frame parser (RFC 6455 §5): fed the bytes one side of an upgraded
// connection sends, in whatever chunks they arrive, it yields whole messages — fragments
// joined, control frames (close, ping, pong) on their own even between fragments, client
// masking undone. It only reads copies for the recorder: the relayed bytes are untouched.
// Each message keeps at most `cap` payload bytes (`size` is always the true size), so a
// large message costs no more memory than a capped body.

export interface WsMessage {
  /** 1 text, 2 binary, 8 close, 9 ping, 10 pong (the first frame's opcode for a fragmented message). */
  opcode: number;
  /** Payload bytes on the wire, all frames together (compressed size when `compressed`). */
  size: number;
  /** The first `cap` payload bytes, unmasked (up to the compressed cap for a compressed message). */
  data: Buffer;
  truncated: boolean;
  /** RSV1 on the first frame: a permessage-deflate message (RFC 7692). */
  compressed: boolean;
  frames: number;
}

/** Control frames carry at most 125 bytes and are never fragmented (RFC 6455 §5.5). */
const MAX_CONTROL = 125;

/** Default compressed bytes kept of one message for inflating (held only until it is inflated). */
export const COMPRESSED_CAP = 16 * 1024 * 1024;

interface Building {
  opcode: number;
  size: number;
  parts: Buffer[];
  kept: number;
  /** Payload bytes to keep: the cap, or more for a compressed message (see compressedCap). */
  limit: number;
  compressed: boolean;
  frames: number;
}

export class WsFrameParser {
  /** Header bytes gathered so far (a header can be split across chunks). */
  private head: Buffer = Buffer.alloc(0);
  /** Payload bytes of the current frame still to come; -1 while reading a header. */
  private remaining = -1;
  private mask: Buffer | null = null;
  private maskPos = 0;
  private fin = false;
  private target: Building | null = null;
  /** A fragmented data message in progress (control frames may come between its frames). */
  private message: Building | null = null;
  private dead = false;

  constructor(
    private readonly cap: number,
    private readonly onMessage: (message: WsMessage) => void,
    /** Called once when the bytes are not WebSocket frames; parsing stops (the relay goes on). */
    private readonly onProblem: (why: string) => void = () => {},
    /**
     * Compressed bytes kept of a permessage-deflate message: it can only be inflated whole,
     * and a message that cannot be inflated breaks the shared window for every later one.
     */
    private readonly compressedCap: number = Math.max(cap, COMPRESSED_CAP),
  ) {}

  get stopped(): boolean {
    return this.dead;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (!this.dead && at < chunk.length) {
      if (this.remaining < 0) {
        at = this.readHeader(chunk, at);
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - at);
      this.payload(chunk.subarray(at, at + take));
      at += take;
      this.remaining -= take;
      if (this.remaining === 0) this.endFrame();
    }
  }

  /** Gathers header bytes; once whole, starts the frame. Returns the new read position. */
  private readHeader(chunk: Buffer, at: number): number {
    // At most 14 header bytes: 2 + 8 (64-bit length) + 4 (mask).
    const need = Math.min(14 - this.head.length, chunk.length - at);
    const joined = this.head.length ? Buffer.concat([this.head, chunk.subarray(at, at + need)]) : chunk.subarray(at, at + need);
    const size = headerSize(joined);
    if (size === null || joined.length < size) {
      this.head = Buffer.from(joined);
      return at + need;
    }
    const used = size - this.head.length;
    this.head = Buffer.alloc(0);
    this.startFrame(joined.subarray(0, size));
    return at + used;
  }

  private startFrame(h: Buffer): void {
    const b0 = h[0]!;
    const b1 = h[1]!;
    this.fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    let p = 2;
    if (length === 126) {
      length = h.readUInt16BE(2);
      p = 4;
    } else if (length === 127) {
      length = h.readUInt32BE(2) * 2 ** 32 + h.readUInt32BE(6);
      p = 10;
    }
    this.mask = masked ? Buffer.from(h.subarray(p, p + 4)) : null;
    this.maskPos = 0;
    if (opcode >= 8) {
      if (opcode > 10) return this.fail(`reserved control opcode ${opcode}`);
      if (!this.fin || length > MAX_CONTROL) return this.fail(`control frame (opcode ${opcode}) fragmented or longer than ${MAX_CONTROL} bytes`);
      this.target = { opcode, size: 0, parts: [], kept: 0, limit: this.cap, compressed: false, frames: 0 };
    } else if (opcode === 0) {
      if (!this.message) return this.fail('continuation frame without a message to continue');
      this.target = this.message;
    } else if (opcode === 1 || opcode === 2) {
      if (this.message) return this.fail('new data frame before the fragmented message ended');
      this.target = { opcode, size: 0, parts: [], kept: 0, limit: rsv1 ? this.compressedCap : this.cap, compressed: rsv1, frames: 0 };
      if (!this.fin) this.message = this.target;
    } else {
      return this.fail(`reserved data opcode ${opcode}`);
    }
    this.target.frames += 1;
    this.remaining = length;
    if (length === 0) this.endFrame();
  }

  private payload(bytes: Buffer): void {
    const t = this.target!;
    t.size += bytes.length;
    const room = t.limit - t.kept;
    if (room > 0) {
      const kept = Buffer.from(bytes.subarray(0, room));
      if (this.mask) for (let i = 0; i < kept.length; i++) kept[i]! ^= this.mask[(this.maskPos + i) & 3]!;
      t.parts.push(kept);
      t.kept += kept.length;
    }
    this.maskPos = (this.maskPos + bytes.length) & 3;
  }

  private endFrame(): void {
    this.remaining = -1;
    const t = this.target!;
    this.target = null;
    if (!this.fin) return;
    if (t === this.message) this.message = null;
    this.onMessage({ opcode: t.opcode, size: t.size, data: t.parts.length === 1 ? t.parts[0]! : Buffer.concat(t.parts), truncated: t.size > t.kept, compressed: t.compressed, frames: t.frames });
  }

  private fail(why: string): void {
    this.dead = true;
    this.onProblem(why);
  }
}

/** Bytes in the header that starts `h`, or null when too few bytes are there to tell. */
function headerSize(h: Buffer): number | null {
  if (h.length < 2) return null;
  const len = h[1]! & 0x7f;
  const masked = (h[1]! & 0x80) !== 0;
  return 2 + (len === 126 ? 2 : len === 127 ? 8 : 0) + (masked ? 4 : 0);
}

/** Close frame payload: status code and reason (RFC 6455 §5.5.1), when present. */
export function closeInfo(data: Buffer): { code: number | null; reason: string } {
  if (data.length < 2) return { code: null, reason: '' };
  return { code: data.readUInt16BE(0), reason: data.subarray(2).toString('utf8') };
}
