// Differential testing: generated XDP programs run in the VM and through BPF_PROG_TEST_RUN
// on the same packets and map state must agree on the return value, the output packet and
// the contents of every map. A disagreement prints the seed to reproduce it.
import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { runKernel, runVm } from './support/both.js';
import { generateXdpProgram, initialMaps, randomPacket } from './support/generator.js';

const PROGRAMS = 100;

describe('VM vs kernel on generated programs', () => {
  it(`${PROGRAMS} programs × (a full packet, a short one)`, (ctx) => {
    needKernel(ctx);
    for (let seed = 1; seed <= PROGRAMS; seed++) {
      const prog = generateXdpProgram(seed, 16 + (seed % 24));
      for (const len of [64, 32]) {
        const pkt = randomPacket(seed * 31 + len, len);
        const maps = initialMaps(seed);
        let k;
        try {
          k = runKernel(prog, pkt, maps);
        } catch (e) {
          throw new Error(`seed ${seed}: the kernel refused a generated program: ${(e as Error).message}`);
        }
        expect(runVm(prog, pkt, maps, 'interpreter'), `interpreter, seed ${seed}, packet ${len} bytes`).toEqual(k);
        expect(runVm(prog, pkt, maps, 'compiled'), `compiled, seed ${seed}, packet ${len} bytes`).toEqual(k);
      }
    }
  });

  it('the generator is deterministic; interpreter and compiled code agree on every program', () => {
    expect(generateXdpProgram(7)).toEqual(generateXdpProgram(7));
    for (let seed = 1; seed <= 300; seed++) {
      const prog = generateXdpProgram(seed);
      const a = runVm(prog, randomPacket(seed, 64), initialMaps(seed), 'interpreter');
      const b = runVm(prog, randomPacket(seed, 64), initialMaps(seed), 'compiled');
      expect(b, `seed ${seed}`).toEqual(a);
      expect(a.retval).toBeLessThan(4);
    }
  });
});
