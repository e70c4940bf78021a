// A seeded generator of random, valid LLVM-syntax BPF assembly programs for differential
// tests. `dialect: 'llvm14'` keeps to what llvm-mc-14 parses (v1-v3); 'full' adds the forms
// only newer LLVM and the kernel use (v4, mod, JSET, ST imm, atomic fetch/xchg/cmpxchg,
// load_acquire/store_release, gotol, may_goto) for round trips.

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GenOptions {
  readonly dialect: 'llvm14' | 'full';
  /** Instructions per function (upper bound). */
  readonly maxInsns?: number;
  /** No calls to symbols, no `r = sym ll`, no data sections (labels and jumps stay). */
  readonly noSymbols?: boolean;
}

export function generateProgram(seed: number, opts: GenOptions): string {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const full = opts.dialect === 'full';
  const maxInsns = opts.maxInsns ?? 40;
  const lines: string[] = [];
  let labelNo = 0;

  const imm = (): string => {
    const v = pick([0, 1, -1, 2, 7, 16, 42, 255, 256, 4095, -4096, 65535, 0x7fffffff, -0x80000000, 0x12345678, -123456,
      0x80000000, 0xffffffff, int(1000), -int(1000), int(2 ** 31), -int(2 ** 31)]);
    if (v >= 0 && chance(0.3)) return `0x${v.toString(16)}`;
    return String(v);
  };
  const reg = (): number => int(11);
  const off = (): string => {
    const v = pick([0, 1, 4, 8, -8, -4, 16, -16, 255, -512, 32767, -32768, int(65536) - 32768]);
    return v < 0 ? `- ${-v}` : `+ ${v}`;
  };
  const sizes = ['u8', 'u16', 'u32', 'u64'] as const;
  const aluOps = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 's>>=', '^=', '='];
  const v4AluOps = ['%=', 's/=', 's%='];
  const cmpOps = ['==', '!=', '>', '>=', '<', '<=', 's>', 's>=', 's<', 's<='];
  const maps = ['map_a', 'map_b', 'gvar', 'lvar', '.Lstr'];
  const externs = ['ext_fn', 'bpf_helper_x'];

  interface Fn { name: string; section: string; global: boolean }
  const sectionNames = ['.text', 'xdp', 'tc/ingress', '.text.sub'];
  const fns: Fn[] = [];
  const nFns = 1 + int(5);
  for (let i = 0; i < nFns; i++) fns.push({ name: `fn${i}`, section: pick(sectionNames), global: chance(0.5) });

  const insn = (fn: Fn, labels: string[], fnLabels: string[]): string => {
    const k = int(full ? 30 : 24);
    const d = reg();
    const s = reg();
    switch (k) {
      case 0: case 1: case 2: case 3: {
        const op = full && chance(0.15) ? pick(v4AluOps) : pick(aluOps);
        const w = chance(0.4) ? 'w' : 'r';
        return chance(0.5) ? `${w}${d} ${op} ${w}${s}` : `${w}${d} ${op} ${imm()}`;
      }
      case 4: { const w = chance(0.5) ? 'w' : 'r'; return `${w}${d} = -${w}${d}`; }
      case 5: return `r${d} = ${pick(['le', 'be'])}${pick([16, 32, 64])} r${d}`;
      case 6: {
        if (opts.noSymbols === true || chance(0.5)) {
          const big = BigInt.asIntN(64, (BigInt(int(2 ** 32)) << 32n) | BigInt(int(2 ** 32)));
          return `r${d} = ${pick([String(big), `0x${BigInt.asUintN(64, big).toString(16)}`, '0', '-1', '1'])} ll`;
        }
        const sym = pick([...maps, ...fns.map((f) => f.name), ...externs]);
        return `r${d} = ${sym} ll`;
      }
      case 7: case 8: {
        const sz = pick(sizes);
        const w = sz !== 'u64' && chance(0.4) ? 'w' : 'r';
        return `${w}${d} = *(${sz} *)(r${s} ${off()})`;
      }
      case 9: case 10: {
        const sz = pick(sizes);
        const w = sz !== 'u64' && chance(0.4) ? 'w' : 'r';
        return `*(${sz} *)(r${d} ${off()}) = ${w}${s}`;
      }
      case 11: {
        const sz = pick(['u32', 'u64'] as const);
        const op = pick(['+=', '|=', '&=', '^=']);
        // llvm-mc-14 takes r or w for a 32-bit add, only w for the other 32-bit ops.
        const w = sz === 'u32' && (op !== '+=' || chance(0.5)) ? 'w' : 'r';
        return `lock *(${sz} *)(r${d} ${off()}) ${op} ${w}${s}`;
      }
      case 12: case 13: case 14: {
        const w = chance(0.3) ? 'w' : 'r';
        const rhs = chance(0.5) ? `${w}${s}` : imm();
        const cmp = full && chance(0.1) ? '&' : pick(cmpOps);
        return `if ${w}${d} ${cmp} ${rhs} goto ${target(labels)}`;
      }
      case 15: return `goto ${target(labels)}`;
      case 16: return `call ${pick([1, 2, 5, 12, 25, 130, 211])}`;
      case 17: {
        if (opts.noSymbols === true) return 'call 1';
        const callee = pick([...fns.map((f) => f.name), ...fnLabels, ...externs]);
        return `call ${callee}`;
      }
      case 18: return `r0 = *(${pick(['u8', 'u16', 'u32'])} *)skb[${chance(0.5) ? `r${s}` : imm()}]`;
      case 19: { const w = chance(0.5) ? 'w' : 'r'; return `${w}${d} = ${w}${s}`; }
      case 20: return `r${d} = ${imm()}`;
      case 21: return `w${d} = ${imm()}`;
      case 22: return 'exit';
      case 23: return chance(0.5) ? `r${d} s>>= ${int(64)}` : `${pick(['r', 'w'])}${d} += ${pick(['K1', 'K2', 'K1 + 1', 'K2 - 3'])}`;
      // v4 and the forms llvm-mc-14 cannot parse
      case 24: return chance(0.5) ? `r${d} = (${pick(['s8', 's16', 's32'])})r${s}` : `w${d} = (${pick(['s8', 's16'])})w${s}`;
      case 25: return chance(0.5) ? `r${d} = *(${pick(['s8', 's16', 's32'])} *)(r${s} ${off()})` : `r${d} = bswap${pick([16, 32, 64])} r${d}`;
      case 26: return chance(0.5) ? `gotol ${target(labels)}` : `may_goto ${target(labels)}`;
      case 27: return `*(${pick(sizes)} *)(r${d} ${off()}) = ${imm()}`;
      case 28: {
        const sz = pick(['u32', 'u64'] as const);
        const w = sz === 'u32' ? 'w' : 'r';
        switch (int(4)) {
          case 0: return `${w}${s} = atomic_fetch_${pick(['add', 'or', 'and', 'xor'])}((${sz} *)(r${d} ${off()}), ${w}${s})`;
          case 1: return `${w}${s} = ${sz === 'u32' ? 'xchg32_32' : 'xchg_64'}(r${d} ${off()}, ${w}${s})`;
          case 2: return `${w}0 = ${sz === 'u32' ? 'cmpxchg32_32' : 'cmpxchg_64'}(r${d} ${off()}, ${w}0, ${w}${s})`;
          default: return `r${d} = addr_space_cast(r${s}, ${int(3)}, ${int(3)})`;
        }
      }
      default: {
        const sz = pick(sizes);
        const w = sz === 'u64' ? 'r' : 'w';
        return chance(0.5) ? `${w}${d} = load_acquire((${sz} *)(r${s} ${off()}))` : `store_release((${sz} *)(r${d} ${off()}), ${w}${s})`;
      }
    }
  };
  function target(labels: string[]): string {
    if (labels.length > 0 && chance(0.7)) return pick(labels);
    const v = pick([0, 1, 2, -1, -2, 5, 100, -100, 32767, -32768]);
    return v < 0 ? String(v) : `+${v}`;
  }

  let cur = '.text';
  const section = (name: string): void => {
    if (name === cur) return;
    cur = name;
    if (name === '.text' && chance(0.5)) lines.push('\t.text');
    else lines.push(`\t.section ${chance(0.5) && /^[.\w]+$/.test(name) ? name : `"${name}"`},"ax",@progbits`);
  };
  if (chance(0.3)) lines.push('\t.file "gen.c"');
  lines.push(`\t.set K1, ${int(1000)}`, '\t.equ K2, K1 + 8');
  if (chance(0.5)) lines.push('\t.weak ext_fn');
  if (chance(0.3)) lines.push('\t.hidden map_b', '\t.globl map_b');
  for (let fi = 0; fi < fns.length; fi++) {
    const fn = fns[fi]!;
    section(fn.section);
    if (chance(0.5)) lines.push('\t.p2align 3');
    if (fn.global) lines.push(`\t.globl ${fn.name}`);
    if (chance(0.7)) lines.push(`\t.type ${fn.name},@function`);
    lines.push(`${fn.name}:`);
    const n = 1 + int(maxInsns);
    // Labels of this function: defined at random points, jumped to from anywhere in it.
    const labels: string[] = [];
    const at = new Map<number, string[]>();
    const nLabels = int(5);
    for (let i = 0; i < nLabels; i++) {
      const name = chance(0.6) ? `.LBB${fi}_${labelNo++}` : `LBB${fi}_${labelNo++}`;
      labels.push(name);
      const pos = int(n + 1);
      at.set(pos, [...(at.get(pos) ?? []), name]);
    }
    const fnLabels = labels.filter((l) => !l.startsWith('.L'));
    for (let i = 0; i <= n; i++) {
      for (const l of at.get(i) ?? []) lines.push(chance(0.1) ? `${l} :` : `${l}:`);
      if (i === n) break;
      const text = insn(fn, labels, fnLabels);
      const style = int(10);
      if (style === 0) lines.push(`\t${text} # comment`);
      else if (style === 1) lines.push(`\t${text} // comment`);
      else if (style === 2) lines.push(`  /* c */ ${text}`);
      else lines.push(`\t${text}`);
    }
    lines.push('\texit');
    const end = `.Lfunc_end${fi}`;
    lines.push(`${end}:`);
    if (chance(0.8)) lines.push(chance(0.5) ? `\t.size ${fn.name}, ${end}-${fn.name}` : `\t.size ${fn.name}, .-${fn.name}`);
  }
  if (opts.noSymbols !== true) {
    // Data: maps, globals, strings, pointers.
    lines.push('\t.section .maps,"aw",@progbits');
    lines.push('\t.globl map_a', '\t.p2align 3', 'map_a:', `\t.quad ${pick(['0', 'fn0', 'gvar', 'lvar+8'])}`, '\t.long 1, 2', '\t.zero 4', '\t.size map_a, 24');
    lines.push('\t.type map_b,@object', 'map_b:', '\t.zero 16', '\t.size map_b, 16');
    lines.push(chance(0.5) ? '\t.data' : '\t.section .data,"aw",@progbits');
    lines.push('\t.globl gvar', 'gvar:', `\t.long ${imm()}`, `\t.quad ${pick(['ext_data', 'map_b', 'lvar', '0x1122334455667788', '-1'])}`);
    lines.push('lvar:', `\t.byte ${int(256)}, ${-int(128)}`, `\t.short ${int(65536)}`, '\t.p2align 2', `\t.long ${pick(['fn0', 'map_a', '.Lstr', '7'])}`, '\t.quad map_a+4');
    lines.push('\t.section .rodata.str1.1,"aMS",@progbits,1', '.Lstr:', '\t.asciz "hello\\n"', '\t.ascii "ab\\x41\\101"');
    lines.push('\t.bss', '\t.globl bssv', 'bssv:', '\t.zero 8', '\t.size bssv, 8');
    if (chance(0.5)) lines.push('\t.section "license","aw",@progbits', 'lic:', '\t.asciz "GPL"');
  }
  return `${lines.join('\n')}\n`;
}
