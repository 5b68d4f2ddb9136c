// permessage-deflate (RFC 7692) for the recorder: Pinprobe records what the app sent and
// got, so compressed messages are inflated — one raw-inflate stream per direction, as the
// endpoints keep one (context takeover; a stream also reads messages sent without it).
// Only the recorder's copy is inflated; the relayed bytes stay compressed, as sent.
// A message whose compressed bytes were cut by the cap cannot be inflated, and neither can
// any message after it in that direction (the shared window is lost): those are recorded as
// their compressed bytes with `compressed: true`.
import zlib from 'node:zlib';

/** The tail every compressed message had before the sender removed it (RFC 7692 §7.2.1). */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** Inflated bytes one message may produce before the stream is given up (a deflate bomb). */
export const INFLATE_LIMIT = 64 * 1024 * 1024;

export interface Inflated {
  data: Buffer;
  /** Inflated size (or the compressed size when `inflated` is false). */
  size: number;
  truncated: boolean;
  inflated: boolean;
}

export class WsInflater {
  private stream: zlib.InflateRaw | null = null;
  private broken = false;
  /** Messages are inflated one after the other, in the order they were sent. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly cap: number) {}

  /**
   * Inflates one message's payload (`whole`: all its compressed bytes were kept). Resolves in
   * message order; never rejects.
   */
  inflate(payload: Buffer, whole: boolean, size: number): Promise<Inflated> {
    const raw: Inflated = { data: payload, size, truncated: !whole, inflated: false };
    const run = this.queue.then(() => {
      if (this.broken) return raw;
      if (!whole) {
        this.giveUp();
        return raw;
      }
      return this.run(payload).catch(() => {
        this.giveUp();
        return raw;
      });
    });
    this.queue = run;
    return run;
  }

  close(): void {
    this.giveUp();
  }

  private run(payload: Buffer): Promise<Inflated> {
    const stream = (this.stream ??= zlib.createInflateRaw());
    return new Promise<Inflated>((resolve, reject) => {
      const kept: Buffer[] = [];
      let keptBytes = 0;
      let total = 0;
      const onData = (chunk: Buffer) => {
        total += chunk.length;
        if (total > INFLATE_LIMIT) return fail(new Error('inflates past the limit'));
        const room = this.cap - keptBytes;
        if (room > 0) {
          const part = chunk.subarray(0, room);
          kept.push(part);
          keptBytes += part.length;
        }
      };
      const cleanup = () => {
        stream.off('data', onData);
        stream.off('error', fail);
      };
      const fail = (err: Error) => {
        cleanup();
        reject(err);
      };
      stream.on('data', onData);
      stream.once('error', fail);
      // Two writes, not a concatenated copy of a message that can be megabytes.
      stream.write(payload);
      stream.write(TAIL);
      stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        cleanup();
        resolve({ data: Buffer.concat(kept), size: total, truncated: total > keptBytes, inflated: true });
      });
    });
  }

  private giveUp(): void {
    this.broken = true;
    this.stream?.destroy();
    this.stream = null;
  }
}
