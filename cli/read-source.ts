// Source text of an input file. ASCII files (nearly every assembly file) are decoded as
// Latin-1, which copies the bytes straight into a one-byte string (about twice as fast as
// UTF-8 decoding a 3 MB file); anything else is decoded as UTF-8.
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';

/** Read `path` (or stdin for `-`) as text. */
export function readSourceText(path: string): string {
  const bytes = readFileSync(path === '-' ? 0 : path);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}
