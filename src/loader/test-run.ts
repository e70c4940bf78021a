// BPF_PROG_TEST_RUN with buffers kept between calls: a test loop pays for the syscall, not for
// allocation.
import { checkWhole } from './option-error.js';
import { BpfCmd } from '../sys/bpf-constants.js';
import { TestRunAttr } from '../sys/bpf-layouts.js';
import { ATTR_SIZE, bpfRaw, commandName } from '../sys/bpf.js';
import { BpfError } from '../sys/errors.js';
import { NativeBuffer } from '../sys/native-buffer.js';

export interface TestRunOptions {
  /** Packet (XDP, tc, socket filter) or input data. */
  readonly data?: Uint8Array;
  /** Room for the output packet (default data length + 4096). */
  readonly dataOutSize?: number;
  readonly ctx?: Uint8Array;
  readonly ctxOutSize?: number;
  /** Run the program this many times (duration is the mean). Default 1. */
  readonly repeat?: number;
  /** TestRunFlags (XDP_LIVE_FRAMES…). */
  readonly flags?: number;
  readonly cpu?: number;
  readonly batchSize?: number;
  /**
   * Return `data`/`ctx` as views of the program's internal output buffers instead of copies:
   * no allocation per call, but they are overwritten by the next testRun on this program.
   */
  readonly borrowOutput?: boolean;
}

export interface TestRunResult {
  readonly retval: number;
  /** Output packet (data_out). */
  readonly data: Uint8Array;
  readonly ctx: Uint8Array | undefined;
  /** Mean run time in nanoseconds. */
  readonly duration: number;
}

const ENOSPC = 28;
const O = TestRunAttr.off;
const EMPTY: Uint8Array = new Uint8Array(0);

/** A buffer of at least `size` bytes (never smaller than 64), reusing `b` when it is big enough. */
function grow(b: NativeBuffer | undefined, size: number): NativeBuffer {
  if (b !== undefined && b.size >= size) return b;
  b?.free();
  return new NativeBuffer(Math.max(size, 64));
}

/** The native buffers of one program's test runs. */
export class TestRunner {
  readonly #attr = new NativeBuffer(ATTR_SIZE);
  #in: NativeBuffer | undefined;
  #out: NativeBuffer | undefined;
  #ctxIn: NativeBuffer | undefined;
  #ctxOut: NativeBuffer | undefined;
  // The buffers whose addresses the attr holds now (undefined: NULL).
  #pIn: NativeBuffer | undefined;
  #pOut: NativeBuffer | undefined;
  #pCtxIn: NativeBuffer | undefined;
  #pCtxOut: NativeBuffer | undefined;
  /** A borrowed output view, reused while its length stays the same. */
  #dataView: Uint8Array = EMPTY;

  run(fd: number, opts: TestRunOptions, name: string): TestRunResult {
    checkWhole('test run: repeat', opts.repeat, 0, 0xffffffff);
    checkWhole('test run: dataOutSize', opts.dataOutSize, 0, 0x7fffffff);
    const v = this.#attr.view;
    const data = opts.data;
    const dataLen = data === undefined ? 0 : data.length;
    const outSize = opts.dataOutSize ?? (dataLen > 0 ? dataLen + 4096 : 0);
    let inBuf: NativeBuffer | undefined;
    if (dataLen > 0) {
      inBuf = this.#in = grow(this.#in, dataLen);
      inBuf.bytes.set(data!);
    }
    let out: NativeBuffer | undefined;
    if (outSize > 0) {
      out = grow(this.#out, outSize);
      if (out !== this.#out) { this.#out = out; this.#dataView = EMPTY; }
    }
    const ctx = opts.ctx;
    const ctxLen = ctx === undefined ? 0 : ctx.length;
    let ctxInBuf: NativeBuffer | undefined;
    if (ctxLen > 0) {
      ctxInBuf = this.#ctxIn = grow(this.#ctxIn, ctxLen);
      ctxInBuf.bytes.set(ctx!);
    }
    const ctxOut = opts.ctxOutSize ?? ctxLen;
    const ctxOutBuf = ctxOut > 0 ? (this.#ctxOut = grow(this.#ctxOut, ctxOut)) : undefined;
    // An unused pointer must be NULL, not stale: with data_size_out 0 the kernel copies the
    // whole output packet to a non-NULL data_out (bpf_test_finish bounds it by size only when
    // size is non-zero). Pointers are rewritten only when the buffer behind them changes.
    if (this.#pIn !== inBuf) v.setBigUint64(O.data_in, (this.#pIn = inBuf)?.address ?? 0n, true);
    if (this.#pOut !== out) v.setBigUint64(O.data_out, (this.#pOut = out)?.address ?? 0n, true);
    if (this.#pCtxIn !== ctxInBuf) v.setBigUint64(O.ctx_in, (this.#pCtxIn = ctxInBuf)?.address ?? 0n, true);
    if (this.#pCtxOut !== ctxOutBuf) v.setBigUint64(O.ctx_out, (this.#pCtxOut = ctxOutBuf)?.address ?? 0n, true);
    v.setUint32(O.prog_fd, fd, true);
    v.setUint32(O.data_size_in, dataLen, true);
    v.setUint32(O.data_size_out, outSize, true);
    v.setUint32(O.ctx_size_in, ctxLen, true);
    v.setUint32(O.ctx_size_out, ctxOut, true);
    v.setUint32(O.repeat, opts.repeat ?? 1, true);
    v.setUint32(O.retval, 0, true);
    v.setUint32(O.duration, 0, true);
    v.setUint32(O.flags, opts.flags ?? 0, true);
    v.setUint32(O.cpu, opts.cpu ?? 0, true);
    v.setUint32(O.batch_size, opts.batchSize ?? 0, true);
    const r = bpfRaw(BpfCmd.PROG_TEST_RUN, this.#attr.addr);
    if (r < 0) return this.#failed(fd, opts, name, -r, outSize);
    const borrow = opts.borrowOutput === true;
    let outData: Uint8Array = EMPTY;
    if (outSize > 0) {
      const got = Math.min(v.getUint32(O.data_size_out, true), outSize);
      // The view of the output is kept while its length stays the same: borrowed as it is,
      // or copied (new Uint8Array(view) is the cheapest copy V8 has for small packets).
      if (this.#dataView.length !== got) this.#dataView = out!.bytes.subarray(0, got);
      outData = borrow ? this.#dataView : new Uint8Array(this.#dataView);
    }
    let outCtx: Uint8Array | undefined;
    if (ctxOut > 0) {
      const got = Math.min(v.getUint32(O.ctx_size_out, true), ctxOut);
      outCtx = borrow ? ctxOutBuf!.bytes.subarray(0, got) : ctxOutBuf!.bytes.slice(0, got);
    }
    return { retval: v.getUint32(O.retval, true), data: outData, ctx: outCtx, duration: v.getUint32(O.duration, true) };
  }

  /** ENOSPC with the default output size: retry once with the size the kernel asked for. */
  #failed(fd: number, opts: TestRunOptions, name: string, errno: number, outSize: number): TestRunResult {
    const needed = this.#attr.view.getUint32(O.data_size_out, true);
    if (errno === ENOSPC && outSize > 0 && needed > outSize && opts.dataOutSize === undefined) {
      return this.run(fd, { ...opts, dataOutSize: needed }, name);
    }
    throw new BpfError(commandName(BpfCmd.PROG_TEST_RUN), errno, name || undefined);
  }

  free(): void {
    for (const b of [this.#attr, this.#in, this.#out, this.#ctxIn, this.#ctxOut]) b?.free();
    this.#in = this.#out = this.#ctxIn = this.#ctxOut = undefined;
    this.#pIn = this.#pOut = this.#pCtxIn = this.#pCtxOut = undefined;
    this.#dataView = EMPTY;
  }
}
