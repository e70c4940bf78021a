// Base of every object that owns a kernel fd: close() is idempotent, `using` works.
import { closeFd } from '../sys/index.js';

export class ClosedError extends Error {
  override readonly name = 'ClosedError';
}

export abstract class FdObject {
  #fd: number;

  protected constructor(fd: number) {
    this.#fd = fd;
  }

  /** The file descriptor; throws once closed. */
  get fd(): number {
    if (this.#fd < 0) throw new ClosedError(`${this.constructor.name} is closed`);
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Release the fd (the kernel object lives on while pinned or referenced elsewhere). */
  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    this.onClose();
    closeFd(fd);
  }

  /** Hook for subclasses to free native buffers. */
  protected onClose(): void {}

  [Symbol.dispose](): void {
    this.close();
  }
}
