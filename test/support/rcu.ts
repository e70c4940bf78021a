// RCU grace periods: attaching and detaching XDP waits for two of them under the rtnl lock
// (~25 ms a cycle on kernels with normal grace periods and a low tick rate, ~0.5 ms with
// expedited ones; both kinds have been seen on machines of this kind). Churn tests that run
// thousands of cycles ask for expedited grace periods while they run, and put the setting back.
import { readFileSync, writeFileSync } from 'node:fs';

const KNOB = '/sys/kernel/rcu_expedited';

export interface ExpeditedRcu {
  /** Grace periods are expedited now (set here, or already). */
  readonly active: boolean;
  /** Put the previous setting back. */
  restore(): void;
}

/** Whether RCU grace periods are expedited now. */
export function rcuExpedited(): boolean {
  try {
    return readFileSync(KNOB, 'utf8').trim() !== '0';
  } catch {
    return false;
  }
}

/** Turn on expedited RCU grace periods while a churn test (or a benchmark) runs. */
export function expediteRcu(): ExpeditedRcu {
  let before: string;
  try {
    before = readFileSync(KNOB, 'utf8').trim();
  } catch {
    return { active: false, restore: () => {} };
  }
  if (before !== '0') return { active: true, restore: () => {} };
  try {
    writeFileSync(KNOB, '1');
  } catch {
    return { active: false, restore: () => {} }; // not writable here: the cycles just take longer
  }
  return {
    active: true,
    restore: () => {
      try { writeFileSync(KNOB, before); } catch { /* best effort */ }
    },
  };
}
