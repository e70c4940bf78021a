// A numeric option of a loader call that is not a whole number in its range (NaN, a fraction,
// a negative size): bad input, caught before the syscall (exit 2 on the command line).

export class OptionError extends Error {
  override readonly name = 'OptionError';
  readonly exitCode = 2;
}

/** Throw OptionError unless `v` (when given) is an integer in [min, max]. */
export function checkWhole(what: string, v: number | undefined, min: number, max: number): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max)) {
    throw new OptionError(`${what} ${v} is not an integer in [${min}, ${max}]`);
  }
}
