// A growable column of numbers in fixed-size typed-array blocks: growing never copies or
// frees a big buffer (a doubling array did both, and the freed buffers stayed in the
// process as fragmented malloc memory, measured as RSS over a 60,000-request session).
export const BLOCK = 8192;

type Typed = Float64Array | Uint32Array | Uint8Array;

export class BlockColumn<T extends Typed> {
  private blocks: Array<T | undefined> = [];

  constructor(private readonly make: (n: number) => T, private readonly empty = 0) {}

  get(i: number): number {
    const block = this.blocks[Math.floor(i / BLOCK)];
    return block ? block[i % BLOCK]! : this.empty;
  }

  set(i: number, value: number): void {
    const b = Math.floor(i / BLOCK);
    while (this.blocks.length <= b) this.blocks.push(this.fresh());
    (this.blocks[b] ??= this.fresh())[i % BLOCK] = value;
  }

  private fresh(): T {
    const block = this.make(BLOCK);
    if (this.empty !== 0) block.fill(this.empty);
    return block;
  }

  clear(): void {
    this.blocks = [];
  }

  /** Frees block `b` (lines b × BLOCK …): its values read as `empty` from now on. */
  drop(b: number): void {
    if (b < this.blocks.length) this.blocks[b] = undefined;
  }
}
