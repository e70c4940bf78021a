// Source locations per DSL statement: capture the user's file:line once and pin it while the
// statement emits its instructions; user callbacks run unpinned so their own statements
// capture their own lines.
import { callerLocation, withSourceLocation } from '../../asm/dsl/location.js';

export function statement<T>(fn: () => T): T {
  return withSourceLocation(callerLocation(), fn);
}

export function userCode<T>(fn: () => T): T {
  return withSourceLocation(undefined, fn);
}
