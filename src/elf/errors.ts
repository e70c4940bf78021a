/**
 * A malformed ELF object (when reading) or an ELF model that cannot be written. `offset` is the
 * byte offset in the file where the problem was found, when there is one.
 */
export class ElfError extends Error {
  override readonly name = 'ElfError';
  constructor(
    readonly reason: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? reason : `at byte ${offset} (0x${offset.toString(16)}): ${reason}`);
  }
}
