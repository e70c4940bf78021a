// Waiting for an fd to become readable without blocking the event loop and without burning
// CPU: a worker thread sleeps in poll(2) on the fd and posts one message when it is
// readable. The main thread arms it (an Int32Array word shared with the worker) only when
// it has drained everything, so the worker never spins on a level-triggered POLLIN while
// the main thread is still busy with the frames it was woken for.
//
// The worker polls in slices of `sliceMs` so that close() can stop it promptly: it must be
// stopped before the fd is closed, or its poll could end up watching a reused fd number.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { POLLIN } from './posix.js';

const IDLE = 0;
const ARMED = 1;
const STOP = 2;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const koffi = require(workerData.koffi);
const poll = koffi.load('libc.so.6').func('int poll(void *fds, unsigned long nfds, int timeout)');
const ctl = new Int32Array(workerData.ctl);
const pfd = Buffer.alloc(8);
pfd.writeInt32LE(workerData.fd, 0);
pfd.writeInt16LE(workerData.events, 4);
for (;;) {
  if (Atomics.load(ctl, 0) === ${IDLE}) Atomics.wait(ctl, 0, ${IDLE}, 1000);
  const s = Atomics.load(ctl, 0);
  if (s === ${STOP}) break;
  if (s !== ${ARMED}) continue;
  pfd.writeInt16LE(0, 6);
  const r = poll(pfd, 1, workerData.sliceMs);
  if (r > 0 && Atomics.compareExchange(ctl, 0, ${ARMED}, ${IDLE}) === ${ARMED}) parentPort.postMessage(1);
}
Atomics.store(ctl, 1, 1);
Atomics.notify(ctl, 1);
`;

export class FdReadinessWaiter {
  readonly #ctl: Int32Array;
  readonly #worker: Worker;
  #resolve: ((ready: boolean) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** `events`: POLLIN by default; `sliceMs`: poll timeout per round (bounds close() latency). */
  constructor(fd: number, opts: { events?: number; sliceMs?: number } = {}) {
    this.#ctl = new Int32Array(new SharedArrayBuffer(8));
    const koffiPath = createRequire(import.meta.url).resolve('koffi');
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { fd, events: opts.events ?? POLLIN, sliceMs: opts.sliceMs ?? 50, ctl: this.#ctl.buffer, koffi: koffiPath },
    });
    this.#worker.unref();
    this.#worker.on('message', () => this.#settle(true));
    this.#worker.on('error', () => this.#settle(false));
  }

  #settle(ready: boolean): void {
    const r = this.#resolve;
    this.#resolve = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    r?.(ready);
  }

  /** Resolve true when the fd is readable, false after `timeoutMs` (or when closed). One wait at a time. */
  wait(timeoutMs = Infinity): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#resolve) throw new Error('FdReadinessWaiter: one wait at a time');
    return new Promise<boolean>((resolve) => {
      this.#resolve = resolve;
      if (Number.isFinite(timeoutMs)) {
        this.#timer = setTimeout(() => {
          // Disarm; if the worker got there first its message settles the promise instead.
          if (Atomics.compareExchange(this.#ctl, 0, ARMED, IDLE) === ARMED) this.#settle(false);
        }, Math.max(0, timeoutMs));
      }
      Atomics.store(this.#ctl, 0, ARMED);
      Atomics.notify(this.#ctl, 0);
    });
  }

  /** Stop the worker (waits up to ~sliceMs for it to leave poll) before the fd may be closed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    Atomics.store(this.#ctl, 0, STOP);
    Atomics.notify(this.#ctl, 0);
    Atomics.wait(this.#ctl, 1, 0, 500);
    void this.#worker.terminate();
    this.#settle(false);
  }
}
