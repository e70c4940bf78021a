// Helpers that touch no packet: time, randomness, CPU id, trace_printk, csum_diff, bpf_loop.
import type { Machine } from '../machine.js';
import { FUNC_PTR_HI } from '../memory.js';
import { E2BIG, EINVAL } from './errno.js';

export function ktimeGetNs(m: Machine): void {
  m.setR0Big(m.state.clock());
}

export function getPrandomU32(m: Machine): void {
  m.setR0(0, m.state.random() | 0);
}

export function getSmpProcessorId(m: Machine): void {
  m.setR0(0, m.state.cpu | 0);
}

/** bpf_trace_printk(fmt, fmt_size, a1, a2, a3): the formatted line is captured; r0 = its length. */
export function tracePrintk(m: Machine): void {
  const size = m.lo[2]! >>> 0;
  if (size === 0 || m.hi[2] !== 0 || size > 1024) {
    m.setR0Int(EINVAL);
    return;
  }
  const fmtBytes = m.ptrArg(1, size, false);
  const nul = fmtBytes.indexOf(0);
  if (nul < 0) {
    m.setR0Int(EINVAL);
    return;
  }
  const fmt = String.fromCharCode(...fmtBytes.subarray(0, nul));
  const args = [3, 4, 5].map((r) => m.reg(r));
  let n = 0;
  const out = fmt.replace(/%(-?\d*)(ll|l|h|hh)?([diuxXpsc%])/g, (all, _w: string, len: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const v = args[n++] ?? 0n;
    const bits = len === 'll' || len === 'l' ? 64 : 32;
    switch (conv) {
      case 'd': case 'i': return BigInt.asIntN(bits, v).toString();
      case 'u': return BigInt.asUintN(bits, v).toString();
      case 'x': return BigInt.asUintN(bits, v).toString(16);
      case 'X': return BigInt.asUintN(bits, v).toString(16).toUpperCase();
      case 'p': return `0x${v.toString(16)}`;
      case 'c': return String.fromCharCode(Number(v & 0xffn));
      default: return all;
    }
  });
  m.state.printk.push(out);
  m.setR0Int(out.length + 1);
}

/**
 * bpf_csum_diff(from, from_size, to, to_size, seed), as Linux >= 6.12 computes it on every
 * arch: csum_partial(to) - csum_partial(from) + seed, folded to 16 bits (csum_from32to16).
 * The sums are one's-complement, so the VM works modulo 0xffff; the folded value is 0 only
 * when the kernel's 32-bit sum is exactly 0 (all inputs zero).
 */
export function csumDiff(m: Machine): void {
  const fromSize = m.lo[2]! >>> 0, toSize = m.lo[4]! >>> 0;
  if (m.hi[2] !== 0 || m.hi[4] !== 0 || fromSize > 0xffff || toSize > 0xffff) {
    m.setR0Int(EINVAL);
    return;
  }
  const from = m.ptrArg(1, fromSize, false);
  const to = m.ptrArg(3, toSize, false);
  const seed = m.lo[5]! >>> 0;
  const words = (b: Uint8Array): number => {
    let sum = 0;
    for (let i = 0; i + 1 < b.length; i += 2) sum += b[i]! | (b[i + 1]! << 8);
    if (b.length & 1) sum += b[b.length - 1]!;
    return sum % 0xffff;
  };
  const v = ((seed % 0xffff) + words(to) + 0xffff - words(from)) % 0xffff;
  const allZero = seed === 0 && from.every((x) => x === 0) && to.every((x) => x === 0);
  m.setR0(0, v === 0 && !allZero ? 0xffff : v);
}

/** bpf_loop(nr_loops, callback, ctx, flags): calls callback(i, ctx) until it returns non-zero; r0 = calls made. */
export function bpfLoop(m: Machine): void {
  if (m.lo[4] !== 0 || m.hi[4] !== 0) {
    m.setR0Int(EINVAL);
    return;
  }
  const n = m.lo[1]! >>> 0;
  if (m.hi[1] !== 0 || n > 1 << 23) {
    m.setR0Int(E2BIG);
    return;
  }
  if (m.hi[2] !== FUNC_PTR_HI) throw m.fault('helper-arg', 'bpf_loop: r2 is not a function pointer (ld_imm64 src=4)');
  const target = m.lo[2]!;
  const ctx = m.reg(3);
  let i = 0;
  for (; i < n; i++) {
    if (m.callFunction(target, [BigInt(i), ctx]) !== 0n) {
      i++;
      break;
    }
  }
  m.setR0Int(i);
}
