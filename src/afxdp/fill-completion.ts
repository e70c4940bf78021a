// The fill and completion rings of one (device, queue) that a UMEM serves. The first socket
// uses the pair registered on the UMEM's own fd; a socket sharing the UMEM on another queue
// or device gets a pair of its own (the kernel requires it since Linux 5.10).
import { type MmapOffsets, XdpPgoff, XdpSockOpt, xskMmapOffsets, xskSetRingSize } from '../sys/xsk-abi.js';
import { MappedRegion } from '../sys/xsk-memory.js';
import { FrameState, type FrameTable } from './frames.js';
import { ConsumerRing, ProducerRing } from './ring.js';

export class FillCompletion {
  readonly fill: ProducerRing;
  readonly completion: ConsumerRing;
  /** Frames in the FILL state for this ring: in it, or being filled by the kernel, or received and not yet released. */
  held = 0;

  private constructor(fill: ProducerRing, completion: ConsumerRing) {
    this.fill = fill;
    this.completion = completion;
  }

  /** Size and map the two rings on `fd` (before bind). */
  static create(fd: number, fillSize: number, completionSize: number): FillCompletion {
    xskSetRingSize(fd, XdpSockOpt.UMEM_FILL_RING, fillSize);
    xskSetRingSize(fd, XdpSockOpt.UMEM_COMPLETION_RING, completionSize);
    const off: MmapOffsets = xskMmapOffsets(fd);
    const fr = MappedRegion.ofFd(fd, ProducerRing.mapLength(off.fill, fillSize, 8), XdpPgoff.FILL_RING);
    let cr: MappedRegion;
    try {
      cr = MappedRegion.ofFd(fd, ConsumerRing.mapLength(off.completion, completionSize, 8), XdpPgoff.COMPLETION_RING);
    } catch (e) {
      fr.unmap();
      throw e;
    }
    return new FillCompletion(new ProducerRing(fr, off.fill, fillSize, 8), new ConsumerRing(cr, off.completion, completionSize, 8));
  }

  /** Give up to `max` free frames to the kernel for receiving; returns how many. */
  refill(frames: FrameTable, max: number): number {
    const want = Math.min(max, frames.freeCount, this.fill.size - this.held);
    if (!(want > 0)) return 0;
    const n = this.fill.reserve(want);
    const idx = this.fill.reserveIndex;
    for (let i = 0; i < n; i++) this.fill.setAddr(idx + i, frames.base(frames.allocTo(FrameState.FILL)));
    this.fill.submit();
    this.held += n;
    return n;
  }

  /** Move sent frames from the completion ring to the free pool; returns how many. */
  reap(frames: FrameTable, max = this.completion.size): number {
    const n = this.completion.peek(max);
    if (n === 0) return 0;
    const idx = this.completion.peekIndex;
    for (let i = 0; i < n; i++) frames.release(frames.frameOf(this.completion.addr(idx + i)), FrameState.TX);
    this.completion.release();
    return n;
  }

  close(): void {
    this.fill.close();
    this.completion.close();
  }
}
