// Functions the kernel verifies apart from a plain call: global (non-static) functions, on
// their own, with pointer arguments that may be NULL and a return value the caller knows nothing
// of (the caller's arguments checked against the BTF prototype at the call); and bpf_loop
// callbacks, called with an index the verifier knows nothing of and the caller's context.
// clang-14 compiles each program; the lint's verdict, message and instruction must be the
// kernel's (`bpf-ts load`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../asm-text/support/oracle.js';
import { runBpfTs } from '../support/cli.js';
import { needKernel, needOracle } from '../support/env.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfts-global-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PRELUDE = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
`;

const PROGRAMS: Record<string, string> = {
  // the caller indexes a map value with what a global function returned: unknown to it
  retval: `struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");
__noinline int pick(struct xdp_md *ctx) { return ctx ? 3 : 0; }
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k);
  if (!v) return XDP_PASS;
  int i = pick(ctx); v[i] += 1; return XDP_PASS;
}`,
  // a pointer argument is used without a NULL check inside the global function
  nullderef: `__noinline int bump(__u32 *p) { *p += 1; return *p; }
SEC("xdp") int prog(struct xdp_md *ctx) { __u32 x = 0; return bump(&x) == 1 ? XDP_PASS : XDP_DROP; }`,
  // the same with the check: accepted
  nullchecked: `__noinline int bump(__u32 *p) { if (!p) return 0; *p += 1; return *p; }
SEC("xdp") int prog(struct xdp_md *ctx) { __u32 x = 0; return bump(&x) == 1 ? XDP_PASS : XDP_DROP; }`,
  // the caller passes 16 bytes of stack where the prototype asks for 32
  argsize: `struct big { __u64 a, b, c, d; };
__noinline int sum(struct big *b) { return b ? (int)(b->a + b->d) : 0; }
SEC("xdp") int prog(struct xdp_md *ctx) { __u64 small[2] = { 1, 2 }; return sum((struct big *)small) ? XDP_DROP : XDP_PASS; }`,
  // a global function given the context and a scalar, its result masked before use: accepted
  fine: `struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");
__noinline int len(struct xdp_md *ctx, int extra) { return (int)(ctx->data_end - ctx->data) + extra; }
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k);
  if (!v) return XDP_PASS;
  v[len(ctx, 1) & 3] += 1; return XDP_PASS;
}`,
  // bpf_loop: the callback sums the indexes into the caller's stack
  loop: `struct cbctx { __u64 sum; };
static long cb(__u32 idx, void *c) { struct cbctx *x = c; x->sum += idx; return 0; }
SEC("xdp") int prog(struct xdp_md *ctx) { struct cbctx c = { .sum = 0 }; bpf_loop(100, cb, &c, 0); return c.sum == 4950 ? XDP_PASS : XDP_DROP; }`,
  // the callback indexes the caller's buffer with the loop index, unbounded
  loopunbounded: `struct cbctx { __u64 sum; __u8 buf[8]; };
static long cb(__u32 idx, void *c) { struct cbctx *x = c; x->buf[idx] = 1; return 0; }
SEC("xdp") int prog(struct xdp_md *ctx) { struct cbctx c = {}; bpf_loop(100, cb, &c, 0); return c.sum ? XDP_PASS : XDP_DROP; }`,
  // the same index masked: accepted
  loopmasked: `struct cbctx { __u64 sum; __u8 buf[8]; };
static long cb(__u32 idx, void *c) { struct cbctx *x = c; x->buf[idx & 7] = 1; x->sum += idx; return 0; }
SEC("xdp") int prog(struct xdp_md *ctx) { struct cbctx c = {}; bpf_loop(8, cb, &c, 0); return c.sum ? XDP_PASS : XDP_DROP; }`,
  // a callback must return 0 or 1
  loopret: `struct cbctx { __u64 sum; };
static long cb(__u32 idx, void *c) { struct cbctx *x = c; x->sum += idx; return 2; }
SEC("xdp") int prog(struct xdp_md *ctx) { struct cbctx c = { .sum = 0 }; bpf_loop(4, cb, &c, 0); return c.sum ? XDP_PASS : XDP_DROP; }`,
};

/** The first `file:line[:col]: error: message [prog insn N]` line of an output, as parts. */
function finding(out: string): { file: string; message: string; insn: number } | undefined {
  const m = /^(.+?):\d+(?::\d+)?: error: (.*) \[\S+ insn (\d+)\]$/m.exec(out);
  return m === null ? undefined : { file: basename(m[1]!), message: m[2]!, insn: Number(m[3]) };
}

describe('global functions and bpf_loop callbacks, lint against the kernel', () => {
  for (const [name, body] of Object.entries(PROGRAMS)) {
    it(name, (ctx) => {
      needKernel(ctx);
      const clang = needOracle(ctx, 'clang-14');
      const c = join(dir, `${name}.c`);
      const o = join(dir, `${name}.o`);
      writeFileSync(c, PRELUDE + body);
      const cc = run(clang, ['-target', 'bpf', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', '-c', c, '-o', o]);
      expect(cc.code, cc.stderr).toBe(0);
      const load = runBpfTs(['load', o]);
      const lint = runBpfTs(['lint', o]);
      expect(lint.code, `${lint.stdout}\n--- kernel:\n${load.stderr}`).toBe(load.code === 0 ? 0 : 1);
      if (load.code !== 0) expect(finding(lint.stdout)).toEqual(finding(load.stderr));
    });
  }
});
