/**
 * Malformed BTF or .BTF.ext (when decoding), or a type model that cannot be encoded. `offset` is
 * the byte offset in the decoded blob where the problem was found, when there is one.
 */
export class BtfError extends Error {
  override readonly name = 'BtfError';
  constructor(
    readonly reason: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? reason : `BTF at byte ${offset}: ${reason}`);
  }
}
