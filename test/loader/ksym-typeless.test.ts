// Typeless ksyms (`extern const void x __ksym`) get their address from /proc/kallsyms, as libbpf
// gives it: a weak one that kallsyms does not list is 0 (the program loads, as with bpftool),
// a strong one is an ObjectLoadError naming it. Compiled by clang-14 here, run in the kernel.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadObject, ObjectLoadError } from '../../src/loader/index.js';
import { kallsymsAddresses } from '../../src/loader/kallsyms.js';
import { run } from '../asm-text/support/oracle.js';
import { needKernel, needOracle } from '../support/env.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfts-ksym-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PRELUDE = `
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
#define __weak __attribute__((weak))
char _license[] SEC("license") = "GPL";
`;

function compile(clang: string, name: string, body: string): Uint8Array {
  const c = join(dir, `${name}.c`);
  const o = join(dir, `${name}.o`);
  writeFileSync(c, PRELUDE + body);
  const r = run(clang, ['-target', 'bpf', '-O2', '-g', '-c', c, '-o', o]);
  if (r.code !== 0) throw new Error(r.stderr);
  return new Uint8Array(readFileSync(o));
}

describe('typeless ksyms', () => {
  it('take kallsyms addresses; a weak missing one is 0; a strong missing one is an error', (ctx) => {
    needKernel(ctx);
    const clang = needOracle(ctx, 'clang-14');
    // _stext is in every kallsyms (a text symbol); the other is in none.
    expect(kallsymsAddresses(new Set(['_stext'])).get('_stext')).toBeGreaterThan(0n);
    const weak = compile(clang, 'weak', `
extern const void _stext __ksym __weak;
extern const void bpf_ts_no_such_symbol __ksym __weak;
SEC("xdp") int prog(void *ctx) {
  unsigned long have = (unsigned long)&_stext, missing = (unsigned long)&bpf_ts_no_such_symbol;
  return have != 0 && missing == 0 ? 2 : 1; /* XDP_PASS : XDP_DROP */
}`);
    const loaded = loadObject(weak, { name: 'weak' });
    try {
      expect(loaded.programs.get('prog')!.testRun({ data: new Uint8Array(64) }).retval).toBe(2);
    } finally {
      loaded.close();
    }
    const strong = compile(clang, 'strong', `
extern const void bpf_ts_no_such_symbol __ksym;
SEC("xdp") int prog(void *ctx) { return ((unsigned long)&bpf_ts_no_such_symbol >> 7) & 1; }`);
    expect(() => loadObject(strong, { name: 'strong' })).toThrow(ObjectLoadError);
    expect(() => loadObject(strong, { name: 'strong' })).toThrow(/bpf_ts_no_such_symbol not found in \/proc\/kallsyms/);
  });
});
