// A network interface as the XDP commands name it: its index, and where `attach` pins the
// bpf_link it creates for it (so that `detach` finds it). Kept apart from the commands so that
// `detach` does not load the object loader that `attach` needs.
import { join } from 'node:path';
import { UsageError } from './errors.js';
import { DEFAULT_PIN_ROOT } from '../src/loader/pin.js';
import { SystemError } from '../src/sys/errors.js';
import { ifNameToIndex } from '../src/sys/posix.js';

/** The interface index of `dev`, or a UsageError (bad input) when there is no such interface. */
export function interfaceIndex(dev: string): number {
  try {
    return ifNameToIndex(dev);
  } catch (e) {
    if (e instanceof SystemError) throw new UsageError(`no network interface named "${dev}"`);
    throw e;
  }
}

/** Where `bpf-ts attach` pins the XDP link of `dev`. */
export function xdpLinkPinPath(dev: string): string {
  return join(DEFAULT_PIN_ROOT, 'bpf-ts', 'links', `xdp-${dev}`);
}
