// clang-built objects (test/fixtures/obj, sources in test/fixtures/c) in the VM: parsed and
// linked by the same code as the loader (parseObject, linkProgram), run on the same packet
// as BPF_PROG_TEST_RUN runs them after the loader's loadObject.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseObject } from '../../src/elf/parse-object.js';
import { loadObject } from '../../src/loader/index.js';
import { hex, loadObjectVm, runXdp, testRunVm, VmError } from '../../src/vm/index.js';
import { needKernel } from '../support/env.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/obj/${name}.o`, import.meta.url)));
const PKT = Uint8Array.from({ length: 64 }, (_, i) => i);

describe('objects in the VM', () => {
  it('tailcall.o: prog_array initial values, tail calls by rx_queue_index', () => {
    const vm = loadObjectVm(parseObject(fixture('tailcall'), { name: 'tailcall' }));
    const run = (q: number) => runXdp(vm.program('dispatch'), PKT, { rxQueueIndex: q }).action;
    expect([0, 1, 2, 3].map(run)).toEqual(['XDP_PASS', 'XDP_ABORTED', 'XDP_DROP', 'XDP_ABORTED']);
  });

  it('subprogs.o: bpf-to-bpf calls, a global function, bpf_loop with a callback, map updates', () => {
    const vm = loadObjectVm(parseObject(fixture('subprogs'), { name: 'subprogs' }));
    expect(runXdp(vm.program('first'), PKT, { ingressIfindex: 600 }).action).toBe('XDP_DROP'); // (600+3)*2 > 1000
    expect(runXdp(vm.program('first'), PKT, { ingressIfindex: 1 }).action).toBe('XDP_PASS');
    const r = runXdp(vm.program('second'), PKT);
    expect(r.action).toBe('XDP_PASS'); // sum 0..9 = 45 > 10 → 35
    expect(r.mapChanges).toEqual([{ map: 'hits', key: '00000000', before: '0000000000000000', after: '0100000000000000' }]);
  });

  it('maps.o: a program using a map type the VM cannot emulate is refused with the reason', () => {
    const vm = loadObjectVm(parseObject(fixture('maps'), { name: 'maps' }));
    expect(Object.keys(vm.unsupportedMaps)).toContain('m_perf');
    expect(() => vm.program('use_maps')).toThrow(VmError);
    expect(() => vm.program('use_maps')).toThrow(/m_perf|perf/);
  });

  it.for(['first', 'second'])('subprogs.o %s agrees with the kernel (retval, packet, maps)', (name, ctx) => {
    needKernel(ctx);
    const bytes = fixture('subprogs');
    const loaded = loadObject(bytes, { name: 'subprogs', programs: [name] });
    try {
      const k = loaded.programs.get(name)!.testRun({ data: PKT });
      const vm = loadObjectVm(parseObject(bytes, { name: 'subprogs' }));
      const v = runXdp(vm.program(name), PKT);
      expect(v.retval).toBe(k.retval);
      expect(hex(v.dataOut)).toBe(hex(k.data));
      const khits = loaded.maps.get('hits')!.lookup(new Uint8Array(4))!;
      expect(hex(vm.maps.hits!.get(new Uint8Array(4))!)).toBe(hex(khits));
    } finally {
      loaded.close();
    }
  });

  it('tailcall.o dispatch agrees with the kernel on queue 0', (ctx) => {
    needKernel(ctx);
    const bytes = fixture('tailcall');
    const loaded = loadObject(bytes, { name: 'tailcall' });
    try {
      const k = loaded.programs.get('dispatch')!.testRun({ data: PKT });
      const vm = loadObjectVm(parseObject(bytes, { name: 'tailcall' }));
      expect(runXdp(vm.program('dispatch'), PKT).retval).toBe(k.retval);
    } finally {
      loaded.close();
    }
  });
});

describe('testRunVm (the --vm path of bpf-ts test-run)', () => {
  it('gives the kernel test-run fields for an object program', (ctx) => {
    needKernel(ctx);
    const bytes = fixture('subprogs');
    const v = testRunVm({ object: bytes, objectName: 'subprogs', program: 'second', data: PKT, repeat: 3 });
    const loaded = loadObject(bytes, { name: 'subprogs', programs: ['second'] });
    try {
      const k = loaded.programs.get('second')!.testRun({ data: PKT, repeat: 3 });
      expect(v.retval).toBe(k.retval);
      expect(hex(v.data)).toBe(hex(k.data));
      expect(v.action).toBe('XDP_PASS');
      expect(v.duration).toBeGreaterThan(0);
      expect(v.ctx).toBeUndefined();
    } finally {
      loaded.close();
    }
  });

  it('takes ingress_ifindex and rx_queue_index from ctx_in, refuses non-XDP programs', () => {
    const md = new Uint8Array(24);
    new DataView(md.buffer).setUint32(16, 2, true);
    expect(testRunVm({ object: fixture('tailcall'), program: 'dispatch', data: PKT, ctx: md }).action).toBe('XDP_DROP');
    expect(() => testRunVm({ object: fixture('subprogs'), program: 'third', data: PKT })).toThrow(/XDP programs only/);
    expect(() => testRunVm({ object: fixture('subprogs'), program: 'nope', data: PKT })).toThrow(VmError);
  });
});
