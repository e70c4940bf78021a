import type { SourceLocation } from '../source-location.js';
import { callerLocation } from './location.js';

/** A position in a program that jumps, local calls and function pointers can name. */
export interface Label {
  readonly kind: 'label';
  readonly name: string;
  readonly loc?: SourceLocation;
}

export function label(name: string): Label {
  const loc = callerLocation();
  return loc === undefined ? { kind: 'label', name } : { kind: 'label', name, loc };
}

export function isLabel(x: unknown): x is Label {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'label';
}
