// Raw programs on the real kernel: load, test-run, verifier rejection, pin, introspection,
// and fd hygiene over many load/close cycles.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dsl } from '../../src/asm/index.js';
import { formatInstruction } from '../../src/asm/text/format.js';
import { BpfMap, ClosedError, listPrograms, MapSizeError, OptionError, Program, progXlated, VerifierError } from '../../src/loader/index.js';
import { BpfError } from '../../src/sys/index.js';
import { needKernel, needOracle } from '../support/env.js';

const { r0, r1, r2, r3, mov, exit, assemble, load, jgt, add, label } = dsl;

const fdCount = (): number => readdirSync('/proc/self/fd').length;

describe('Program', () => {
  it('loads an XDP program and test-runs it (retval, packet out, repeat)', (ctx) => {
    needKernel(ctx);
    using prog = Program.load({ type: 'xdp', name: 'ret_pass', insns: assemble([mov(r0, 2), exit()]).insns });
    const pkt = Uint8Array.from({ length: 60 }, (_, i) => i);
    const r = prog.testRun({ data: pkt, repeat: 5 });
    expect(r.retval).toBe(2);
    expect(Array.from(r.data)).toEqual(Array.from(pkt));
    const info = prog.info();
    expect(info.typeName).toBe('xdp');
    expect(info.name).toBe('ret_pass');
    expect(listPrograms().some((p) => p.id === info.id)).toBe(true);
  });

  it('numeric options that are not whole numbers in range are OptionError, before any syscall', (ctx) => {
    needKernel(ctx);
    using prog = Program.load({ type: 'xdp', name: 'ret_pass', insns: assemble([mov(r0, 2), exit()]).insns });
    const pkt = new Uint8Array(60);
    for (const opts of [{ repeat: 1.5 }, { repeat: Number.NaN }, { dataOutSize: -1 }, { dataOutSize: Number.NaN }]) {
      expect(() => prog.testRun({ data: pkt, ...opts }), JSON.stringify(opts)).toThrow(OptionError);
    }
    // a program the kernel refuses is loaded again with a log: its size must be a size
    const bad = assemble([exit()]).insns;
    expect(() => Program.load({ type: 'xdp', name: 'bad', insns: bad, logSize: Number.NaN })).toThrow(OptionError);
    expect(() => BpfMap.create({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1, flags: Number.NaN })).toThrow(MapSizeError);
  });

  it('reads packet bytes: returns DROP when the first byte is > 100', (ctx) => {
    needKernel(ctx);
    // r2 = data, r3 = data_end; bounds check; r0 = pkt[0] > 100 ? XDP_DROP : XDP_PASS
    const insns = assemble([
      load('u32', r2, r1, 0),
      load('u32', r3, r1, 4),
      mov(r0, 2),
      mov(r1, r2),
      add(r1, 1),
      jgt(r1, r3, 'out'),
      load('u8', r1, r2, 0),
      jgt(r1, 100, 'drop'),
      exit(),
      label('drop'),
      mov(r0, 1),
      label('out'),
      exit(),
    ]).insns;
    using prog = Program.load({ type: 'xdp', insns });
    expect(prog.testRun({ data: new Uint8Array(64).fill(5) }).retval).toBe(2);
    expect(prog.testRun({ data: new Uint8Array(64).fill(200) }).retval).toBe(1);
  });

  it('matches bpftool prog run on the same pinned program', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'bpftool');
    const dir = mkdtempSync(join(tmpdir(), 'bpf-ts-run-'));
    const pin = `/sys/fs/bpf/bpf-ts-test-prog-${process.pid}`;
    using prog = Program.load({ type: 'xdp', insns: assemble([mov(r0, 3), exit()]).insns });
    prog.pin(pin);
    try {
      const pkt = Uint8Array.from({ length: 64 }, (_, i) => i * 3);
      writeFileSync(join(dir, 'in.bin'), pkt);
      const r = spawnSync('bpftool', ['-j', 'prog', 'run', 'pinned', pin, 'data_in', join(dir, 'in.bin'), 'data_out', join(dir, 'out.bin')], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(0);
      const ours = prog.testRun({ data: pkt });
      expect(JSON.parse(r.stdout).retval).toBe(ours.retval);
      expect(Array.from(readFileSync(join(dir, 'out.bin')))).toEqual(Array.from(ours.data));
      using again = Program.fromPinned(pin);
      expect(again.info().id).toBe(prog.info().id);
    } finally {
      rmSync(pin, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects with VerifierError naming the kernel line, insn and the TS source line', (ctx) => {
    needKernel(ctx);
    const bad = assemble([mov(r0, 0), mov(r0, r2), exit()]).insns;
    let err: unknown;
    try {
      Program.load({ type: 'xdp', name: 'bad', insns: bad });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VerifierError);
    const v = err as VerifierError;
    expect(v.errorLines.join('\n')).toContain('R2 !read_ok');
    expect(v.insn).toBe(1);
    expect(v.log).toContain('R2 !read_ok');
    expect(v.source?.file).toContain('program.test.ts');
    expect(v.source?.line).toBe(bad[1]!.loc!.line);
  });

  it('structural rejections name the instruction the kernel names (unreachable insn, jump out of range)', (ctx) => {
    needKernel(ctx);
    const cases: [ReturnType<typeof assemble>['insns'], RegExp, number][] = [
      [assemble([mov(r0, 2), exit(), mov(r0, 3), exit()]).insns, /unreachable insn 2/, 2],
      [[{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }, { code: 0x05, dst: 0, src: 0, off: 5, imm: 0 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }], /jump out of range from insn 1 to 7/, 1],
    ];
    for (const [insns, message, insn] of cases) {
      let err: unknown;
      try {
        Program.load({ type: 'xdp', insns });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VerifierError);
      expect((err as VerifierError).errorLines.join('\n')).toMatch(message);
      expect((err as VerifierError).insn).toBe(insn);
    }
  });

  it('a bad program type is a BpfError with errno and hint, not a crash', (ctx) => {
    needKernel(ctx);
    expect(() => Program.load({ type: 9999, insns: assemble([mov(r0, 0), exit()]).insns })).toThrow(BpfError);
  });

  it('grows the log buffer until the log fits', (ctx) => {
    needKernel(ctx);
    const body = [];
    for (let i = 0; i < 200; i++) body.push(mov(r1, i), add(r1, 1));
    using prog = Program.load({ type: 'xdp', insns: assemble([...body, mov(r0, 2), exit()]).insns, logLevel: 2, logSize: 4096 });
    expect(prog.verifierLog.length).toBeGreaterThan(4096);
    expect(prog.verifierLog).toContain('processed');
  });

  it('dumps xlated instructions through the disassembler', (ctx) => {
    needKernel(ctx);
    using prog = Program.load({ type: 'xdp', insns: assemble([mov(r0, 2), exit()]).insns });
    const text = progXlated(prog.fd).map((i) => formatInstruction(i));
    expect(text).toEqual(['r0 = 2', 'exit']);
  });

  it('close is idempotent and use after close is a clear error', (ctx) => {
    needKernel(ctx);
    const prog = Program.load({ type: 'xdp', insns: assemble([mov(r0, 2), exit()]).insns });
    prog.close();
    prog.close();
    expect(() => prog.fd).toThrow(ClosedError);
  });

  it('10,000 load/test-run/close cycles leave the fd count where it started', (ctx) => {
    needKernel(ctx);
    const insns = assemble([mov(r0, 2), exit()]).insns;
    const before = fdCount();
    for (let i = 0; i < 10_000; i++) {
      const p = Program.load({ type: 'xdp', insns });
      if (i % 1000 === 0) p.testRun({ data: new Uint8Array(64) });
      p.close();
    }
    expect(fdCount()).toBe(before);
  }, 120_000);
});

describe('Program.testRun output buffers', () => {
  // data[0] += 1 when the packet has a byte, then XDP_PASS.
  const bump = (): ReturnType<typeof assemble>['insns'] => assemble([
    dsl.ldxw(r2, r1, 0), dsl.ldxw(r3, r1, 4), mov(r0, r2), add(r0, 1), jgt(r0, r3, 'out'),
    dsl.ldxb(r0, r2, 0), add(r0, 1), dsl.stxb(r2, 0, r0), label('out'), mov(r0, 2), exit(),
  ]).insns;

  it('copies are independent of later runs; borrowed output is overwritten by the next run', (ctx) => {
    needKernel(ctx);
    using prog = Program.load({ type: 'xdp', name: 'tr_bump', insns: bump() });
    const a = prog.testRun({ data: new Uint8Array(64).fill(10) }).data;
    const b = prog.testRun({ data: new Uint8Array(64).fill(20) }).data;
    expect([a[0], a[1], a.length]).toEqual([11, 10, 64]);
    expect([b[0], b[1], b.length]).toEqual([21, 20, 64]);
    const x = prog.testRun({ data: new Uint8Array(64).fill(30), borrowOutput: true }).data;
    expect(x[0]).toBe(31);
    const y = prog.testRun({ data: new Uint8Array(64).fill(40), borrowOutput: true }).data;
    expect(y[0]).toBe(41);
    expect(x[0]).toBe(41); // the same buffer
    expect(a[0]).toBe(11);
  });

  it('a run without an output buffer returns no data and leaves the next run intact', (ctx) => {
    needKernel(ctx);
    using prog = Program.load({ type: 'xdp', name: 'tr_noout', insns: bump() });
    expect(prog.testRun({ data: new Uint8Array(64).fill(1), dataOutSize: 256 }).data[0]).toBe(2);
    const none = prog.testRun({ data: new Uint8Array(64).fill(3), dataOutSize: 0 });
    expect(none.retval).toBe(2);
    expect(none.data.length).toBe(0);
    const after = prog.testRun({ data: new Uint8Array(100).fill(5), dataOutSize: 256 });
    expect([after.data.length, after.data[0], after.data[99]]).toEqual([100, 6, 5]);
  });

  it('an output buffer smaller than the packet is ENOSPC when asked for, and grown when not', (ctx) => {
    needKernel(ctx);
    using prog = Program.load({ type: 'xdp', name: 'tr_small', insns: bump() });
    expect(() => prog.testRun({ data: new Uint8Array(64), dataOutSize: 16 })).toThrow(/ENOSPC/);
    expect(prog.testRun({ data: new Uint8Array(64) }).data.length).toBe(64);
  });
});
