import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.js';
import { CoreReloKind } from '../../src/btf/btf-ext.js';
import { CORE_POISON_IMM, patchCoreInstruction, resolveCoreRelocation } from '../../src/btf/core/core-relo.js';
import { decodeBtf } from '../../src/btf/decode-btf.js';
import { applyCoreRelocations } from '../../src/elf/core-apply.js';
import { objectNameFromPath } from '../../src/elf/global-data.js';
import { linkProgram } from '../../src/elf/link.js';
import { parseElfObject } from '../../src/elf/parse-object.js';
import { needKernel, needOracle } from '../support/env.js';
import { loadFixture } from './fixtures.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';

function coreFixture() {
  const fx = loadFixture('core.o');
  return parseElfObject(fx.elf, { name: objectNameFromPath(fx.path) });
}

describe('CO-RE relocations against the running kernel, compared with libbpf', () => {
  it('every relocation of core.o gets the value libbpf patches in (bpftool -d prog loadall log)', (ctx) => {
    needKernel(ctx);
    const bpftool = needOracle(ctx, 'bpftool');
    if (!existsSync(VMLINUX)) ctx.skip('no vmlinux BTF');
    const obj = coreFixture();
    const target = decodeBtf(new Uint8Array(readFileSync(VMLINUX)));
    const dir = `/sys/fs/bpf/bpf-ts-core-${process.pid}`;
    let log: string;
    try {
      mkdirSync(dir, { recursive: true });
      log = spawnSync(bpftool, ['-d', 'prog', 'loadall', loadFixture('core.o').path, dir], { encoding: 'utf8' }).stderr;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    let compared = 0;
    for (const p of obj.programs) {
      const linked = linkProgram(obj, p.name);
      const { program, relocations } = applyCoreRelocations(linked, obj.btf!, target);
      const slotOf = (i: number): number => program.insns.slice(0, i).reduce((n, x) => n + (x.code === 0x18 ? 2 : 1), 0);
      const expected = [...log.matchAll(new RegExp(`prog '${p.name}': relo #(\\d+): patched insn #(\\d+) \\([^)]*\\) (?:imm64|imm|off) (-?\\d+) -> (-?\\d+)`, 'g'))];
      const poisoned = [...log.matchAll(new RegExp(`prog '${p.name}': relo #(\\d+): (?:substituting|poisoning) insn #(\\d+)`, 'g'))];
      expect(expected.length + poisoned.length, p.name).toBe(p.coreRelos.length);
      for (const m of expected) {
        const r = relocations[Number(m[1])]!;
        expect(slotOf(r.insn), `${p.name} relo #${m[1]}`).toBe(Number(m[2]));
        expect(r.result.poison).toBe(false);
        // libbpf prints the instruction's old value (what clang wrote), then the new one
        const before = linked.insns[linked.coreRelos[Number(m[1])]!.insn]!;
        const cls = before.code & 7;
        const old = before.code === 0x18
          ? ((BigInt((before.imm2 ?? 0) >>> 0) << 32n) | BigInt(before.imm >>> 0)).toString()
          : cls === 4 || cls === 7 ? String(before.imm >>> 0) : String(before.off);
        expect([old, String(r.result.newVal)], `${p.name} relo #${m[1]} ${r.accessStr}`).toEqual([m[3], m[4]]);
        compared++;
      }
      for (const m of poisoned) {
        expect(relocations[Number(m[1])]!.result.poison).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(20);
  });

  it('an access to a field the kernel lacks is poisoned with call 0xbad2310, as libbpf does', (ctx) => {
    if (!existsSync(VMLINUX)) ctx.skip('no vmlinux BTF');
    const obj = coreFixture();
    const target = decodeBtf(new Uint8Array(readFileSync(VMLINUX)));
    const old = obj.btf!.findOne('task_struct___old', 'struct')!;
    const res = resolveCoreRelocation(obj.btf!, target, { typeId: old, accessStr: '0:1', kind: CoreReloKind.FIELD_BYTE_OFFSET });
    expect(res.poison).toBe(true);
    const patched = patchCoreInstruction({ code: 0x79, dst: 1, src: 2, off: 8, imm: 0 }, res, 'test');
    expect(patched).toEqual([{ code: 0x85, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM }]);
    // the same field exists in the flavor's target (task_struct.pid) and relocates
    const pid = resolveCoreRelocation(obj.btf!, target, { typeId: old, accessStr: '0:0', kind: CoreReloKind.FIELD_BYTE_OFFSET });
    expect(pid.poison).toBe(false);
    const tid = target.findOne('task_struct', 'struct')!;
    const t = target.type(tid);
    expect(t.kind).toBe('struct');
    const m = (t as { members: readonly { name: string; bitOffset: number }[] }).members.find((x) => x.name === 'pid')!;
    expect(pid.newVal).toBe(BigInt(m.bitOffset / 8));
  });

  it('enum value of a missing enumerator is poisoned; existence checks resolve to 0', (ctx) => {
    if (!existsSync(VMLINUX)) ctx.skip('no vmlinux BTF');
    const target = decodeBtf(new Uint8Array(readFileSync(VMLINUX)));
    // a local flavor of the kernel's enum bpf_map_type with one enumerator it has and one it lacks
    const local = new Btf([
      { kind: 'enum', name: 'bpf_map_type___mine', size: 4, signed: false, values: [
        { name: 'BPF_MAP_TYPE_HASH', value: 99 }, { name: 'BPF_MAP_TYPE_NO_SUCH_THING', value: 7 },
      ] },
    ]);
    const r = (accessStr: string, kind: number) => resolveCoreRelocation(local, target, { typeId: 1, accessStr, kind });
    expect(r('0', CoreReloKind.ENUMVAL_VALUE)).toMatchObject({ poison: false, origVal: 99n, newVal: 1n });
    expect(r('1', CoreReloKind.ENUMVAL_VALUE).poison).toBe(true);
    expect(r('1', CoreReloKind.ENUMVAL_EXISTS)).toMatchObject({ poison: false, newVal: 0n });
    expect(r('0', CoreReloKind.TYPE_EXISTS)).toMatchObject({ poison: false, newVal: 1n });
    // TYPE_MATCHES needs every local enumerator in the target
    expect(r('0', CoreReloKind.TYPE_MATCHES)).toMatchObject({ poison: false, newVal: 0n });
    const none = new Btf([{ kind: 'struct', name: 'no_such_struct_anywhere', size: 4, kindFlag: false, members: [] }]);
    expect(resolveCoreRelocation(none, target, { typeId: 1, accessStr: '0', kind: CoreReloKind.TYPE_SIZE })).toMatchObject({ poison: false, newVal: 0n });
  });
});
