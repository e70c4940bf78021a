// Who owns each UMEM frame. A frame is in exactly one place: the free pool (user space may
// allocate it), held by the user (received, or allocated for TX), in the fill ring (the
// kernel may write a received packet into it) or in the TX ring (the kernel reads it until
// the completion ring returns it). Every move is checked, so a frame is never handed to the
// kernel twice or reused while the kernel still holds it.
import { FrameOwnershipError } from './errors.js';

export const FrameState = {
  FREE: 0,
  USER: 1,
  FILL: 2,
  TX: 3,
} as const;
export type FrameStateValue = (typeof FrameState)[keyof typeof FrameState];

const NAMES = ['free', 'held by the user', 'in the fill ring (kernel)', 'in the TX ring (kernel)'];

export class FrameTable {
  readonly count: number;
  readonly frameSize: number;
  readonly #shift: number;
  readonly #state: Uint8Array;
  readonly #free: Uint32Array;
  #top: number;

  constructor(count: number, frameSize: number) {
    this.count = count;
    this.frameSize = frameSize;
    this.#shift = Math.log2(frameSize);
    this.#state = new Uint8Array(count);
    this.#free = new Uint32Array(count);
    // Lowest addresses on top of the stack (allocated first).
    for (let i = 0; i < count; i++) this.#free[i] = count - 1 - i;
    this.#top = count;
  }

  /** Frames in the free pool. */
  get freeCount(): number {
    return this.#top;
  }

  /** The frame holding byte `addr` of the UMEM. */
  frameOf(addr: number): number {
    return addr >= 0x80000000 ? Math.floor(addr / this.frameSize) : addr >>> this.#shift;
  }

  /** Start address of frame `frame`. */
  base(frame: number): number {
    return frame * this.frameSize;
  }

  state(frame: number): FrameStateValue {
    return this.#state[frame] as FrameStateValue;
  }

  /** Take a free frame (USER); -1 when the pool is empty. */
  alloc(): number {
    if (this.#top === 0) return -1;
    const f = this.#free[--this.#top]!;
    this.#state[f] = FrameState.USER;
    return f;
  }

  /** Take a free frame straight into a kernel ring (FILL). -1 when the pool is empty. */
  allocTo(state: FrameStateValue): number {
    if (this.#top === 0) return -1;
    const f = this.#free[--this.#top]!;
    this.#state[f] = state;
    return f;
  }

  /** Move `frame` from `from` to `to`; anything else is an ownership bug. */
  move(frame: number, from: FrameStateValue, to: FrameStateValue): void {
    const s = this.#state[frame];
    if (s !== from) this.#bad(frame, s, from);
    this.#state[frame] = to;
  }

  /** Return `frame` (currently in state `from`) to the free pool. */
  release(frame: number, from: FrameStateValue): void {
    const s = this.#state[frame];
    if (s !== from) this.#bad(frame, s, from);
    this.#state[frame] = FrameState.FREE;
    this.#free[this.#top++] = frame;
  }

  #bad(frame: number, s: number | undefined, want: number): never {
    if (s === undefined) throw new FrameOwnershipError(`frame ${frame} is outside the UMEM (${this.count} frames)`);
    throw new FrameOwnershipError(`frame ${frame} (address ${frame * this.frameSize}) is ${NAMES[s]}, expected ${NAMES[want]}`);
  }
}
