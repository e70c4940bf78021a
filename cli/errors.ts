// How errors become exit codes (DESIGN.md): 1 the answer is "no", 2 bad usage or input,
// 3 the kernel or system refused.

/** Bad command-line usage or input that the user can fix. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const EXIT_BY_ERROR_NAME: Readonly<Record<string, number>> = {
  UsageError: 2,
  CommanderError: 2,
  AsmError: 2,
  DecodeError: 2,
  ElfError: 2,
  BtfError: 2,
  LinkError: 2,
  CodecError: 2,
  ConformanceError: 2,
  ObjectKindError: 2,
  PinPathError: 2,
  OptionError: 2,
  DslError: 2,
  VerifierError: 1,
  BpfError: 3,
  SystemError: 3,
  NetlinkError: 3,
  XskError: 3,
};

/** Exit code for an error thrown by a command. Unknown errors are bugs: 70 (EX_SOFTWARE). */
export function exitCodeFor(err: unknown): number {
  if (err instanceof Error) {
    const explicit = (err as { exitCode?: unknown }).exitCode;
    if (typeof explicit === 'number') return explicit;
    const byName = EXIT_BY_ERROR_NAME[err.name];
    if (byName !== undefined) return byName;
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') return 2;
  }
  return 70;
}

/** One line for stderr: the message without a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
