// Compile a program to one JavaScript function that V8 optimises: registers become local
// (hi, lo) int32 variables, each instruction a `case` of a switch on the program counter
// (straight-line code falls through, jumps set pc and re-dispatch). Memory, helpers, calls
// and atomics go through the Machine with the registers written back first, so faults and
// helpers see exactly what the interpreter would. The interpreter (machine.ts) stays the
// reference: tests run the conformance suite and generated programs through both.
import { LD_IMM64 } from '../asm/opcode.js';
import { bswap16, bswap32, mulHiU32, toBigS, toBigU } from './int64.js';
import type { Machine } from './machine.js';
import { FUNC_PTR_HI, MAP_PTR_HI, REGION_HI_BASE, REGION_LO_BASE } from './memory.js';
import type { VmProgram } from './program.js';

/** Runs from `pc` until an exit at depth `stopDepth`; registers live in m.lo/m.hi on entry and return. */
export type CompiledProgram = (m: Machine, pc: number, stopDepth: number) => void;

/** Programs larger than this stay interpreted (the generated source grows with the program). */
export const MAX_COMPILED_SLOTS = 50_000;

const cache = new WeakMap<VmProgram, CompiledProgram | null>();

/** The compiled form of a program (made once, cached), or undefined when it is too large. */
export function compiled(prog: VmProgram): CompiledProgram | undefined {
  let fn = cache.get(prog);
  if (fn === undefined) {
    fn = prog.slots <= MAX_COMPILED_SLOTS ? compileProgram(prog) : null;
    cache.set(prog, fn);
  }
  return fn ?? undefined;
}

// ---------------------------------------------------------------- runtime support

const OUT = new Int32Array(1);
const big = (v: bigint): number => {
  OUT[0] = Number(BigInt.asIntN(32, v >> 32n));
  return Number(BigInt.asIntN(32, v));
};
/** Unsigned 64-bit a / b (b != 0); returns lo, hi in OUT[0]. */
const udiv64 = (ah: number, al: number, bh: number, bl: number): number => big(toBigU(ah, al) / toBigU(bh, bl));
const umod64 = (ah: number, al: number, bh: number, bl: number): number => big(toBigU(ah, al) % toBigU(bh, bl));
/** Signed 64-bit a / b or a % b (b != 0), wrapping INT64_MIN / -1. */
function sdivmod64(ah: number, al: number, bh: number, bl: number, mod: boolean): number {
  if (ah === al >> 31 && bh === bl >> 31) {
    const q = mod ? al % bl : Math.trunc(al / bl);
    OUT[0] = q < 0 ? Math.floor(q / 4294967296) | 0 : (q / 4294967296) | 0;
    return q | 0;
  }
  const a = toBigS(ah, al), b = toBigS(bh, bl);
  return big(mod ? a % b : a / b);
}

const RUNTIME = { OUT, udiv64, umod64, sdivmod64, mulHiU32, bswap16, bswap32, MAP_PTR_HI, FUNC_PTR_HI };

// ---------------------------------------------------------------- code generation

const R = (n: number): [string, string] => [`r${n}l`, `r${n}h`];
const SYNC = Array.from({ length: 11 }, (_, i) => `L[${i}]=r${i}l;H[${i}]=r${i}h;`).join('') + 'm.budget=budget;';
const LOAD = Array.from({ length: 11 }, (_, i) => `r${i}l=L[${i}];r${i}h=H[${i}];`).join('') + 'budget=m.budget;';
/** After a helper: it may change r0..r5 only (bpf_loop's callbacks restore r6..r10 on return). */
const LOAD_HELPER = Array.from({ length: 6 }, (_, i) => `r${i}l=L[${i}];r${i}h=H[${i}];`).join('') + 'budget=m.budget;';

function compileProgram(p: VmProgram): CompiledProgram {
  const out: string[] = [];
  const trailer: string[] = [];
  const emit = (s: string): void => { out.push(s); };
  const n = p.slots;
  const jumpTo = (k: number, target: number): string => {
    if (target < 0 || target >= n) return `{${SYNC}throw m.faultAt(${k},'pc-out-of-range','jump to slot ${target}, outside the program\\'s ${n} slots');}`;
    const check = target <= k ? `if(budget<0){${SYNC}throw m.faultAt(${k},'budget','instruction budget of '+m.budgetLimit+' exhausted (infinite loop?)');}` : '';
    return `{${check}pc=${target};continue;}`;
  };
  const bad = (k: number): string => `${SYNC}m.badInsn(${k});`;

  for (let k = 0; k < n; k++) {
    if (p.insnOfSlot[k]! < 0) {
      trailer.push(`case ${k}:${bad(k)}`);
      continue;
    }
    const op = p.op[k]!, d = p.dst[k]!, s = p.src[k]!, off = p.off[k]!, imm = p.imm[k]!;
    emit(`case ${k}:--budget;`);
    const cls = op & 7;
    const x = (op & 8) !== 0;
    const [dl, dh] = R(d > 10 ? 0 : d);
    if (d > 10 || (s > 10 && (x || cls === 1 || cls === 3))) { emit(bad(k)); continue; }
    if (cls === 4 || cls === 7) {
      const code = op & 0xf0;
      if (x) emit(`u=r${s}l;v=r${s}h;`);
      const bl = x ? 'u' : `(${imm})`;
      const bh = x ? 'v' : `(${imm >> 31})`;
      if (cls === 4) {
        let body: string;
        switch (code) {
          case 0x00: body = `${dl}=(${dl}+${bl})|0;`; break;
          case 0x10: body = `${dl}=(${dl}-${bl})|0;`; break;
          case 0x20: body = `${dl}=Math.imul(${dl},${bl});`; break;
          case 0x30:
            body = off === 1
              ? `t=${bl};${dl}=t===0?0:(${dl}===-2147483648&&t===-1?${dl}:(Math.trunc(${dl}/t)|0));`
              : `t=${bl}>>>0;${dl}=t===0?0:(Math.floor((${dl}>>>0)/t)|0);`;
            break;
          case 0x40: body = `${dl}|=${bl};`; break;
          case 0x50: body = `${dl}&=${bl};`; break;
          case 0x60: body = `${dl}<<=(${bl}&31);`; break;
          case 0x70: body = `${dl}=(${dl}>>>(${bl}&31))|0;`; break;
          case 0x80: body = `${dl}=-${dl}|0;`; break;
          case 0x90:
            body = off === 1 ? `t=${bl};if(t!==0)${dl}=(${dl}%t)|0;` : `t=${bl}>>>0;if(t!==0)${dl}=((${dl}>>>0)%t)|0;`;
            break;
          case 0xa0: body = `${dl}^=${bl};`; break;
          case 0xb0: body = off === 8 ? `${dl}=(${bl}<<24)>>24;` : off === 16 ? `${dl}=(${bl}<<16)>>16;` : `${dl}=${bl};`; break;
          case 0xc0: body = `${dl}>>=(${bl}&31);`; break;
          case 0xd0:
            if (imm === 64) { emit(x ? `t=${dh};${dh}=RT.bswap32(${dl});${dl}=RT.bswap32(t);` : ''); continue; }
            if (imm === 16) body = x ? `${dl}=RT.bswap16(${dl});` : `${dl}&=65535;`;
            else if (imm === 32) body = x ? `${dl}=RT.bswap32(${dl});` : '';
            else { emit(bad(k)); continue; }
            break;
          default: emit(bad(k)); continue;
        }
        emit(`${body}${dh}=0;`);
        continue;
      }
      switch (code) {
        case 0x00: emit(`t=(${dl}>>>0)+(${bl}>>>0);${dh}=(${dh}+${bh}+(t>4294967295?1:0))|0;${dl}=t|0;`); break;
        case 0x10: emit(`t=(${dl}>>>0)-(${bl}>>>0);${dh}=(${dh}-${bh}-(t<0?1:0))|0;${dl}=t|0;`); break;
        case 0x20: emit(`t=Math.imul(${dl},${bl});${dh}=(RT.mulHiU32(${dl}>>>0,(${bl})>>>0)+Math.imul(${dh},${bl})+Math.imul(${dl},${bh}))|0;${dl}=t;`); break;
        case 0x30:
          if (off === 1) emit(`if(((${bl})|(${bh}))===0){${dl}=0;${dh}=0;}else{t=RT.sdivmod64(${dh},${dl},${bh},${bl},false);${dh}=RT.OUT[0];${dl}=t;}`);
          else emit(`if(((${bl})|(${bh}))===0){${dl}=0;${dh}=0;}else if(${dh}===0&&(${bh})===0){${dl}=Math.floor((${dl}>>>0)/((${bl})>>>0))|0;}else{t=RT.udiv64(${dh},${dl},${bh},${bl});${dh}=RT.OUT[0];${dl}=t;}`);
          break;
        case 0x90:
          if (off === 1) emit(`if(((${bl})|(${bh}))!==0){t=RT.sdivmod64(${dh},${dl},${bh},${bl},true);${dh}=RT.OUT[0];${dl}=t;}`);
          else emit(`if(((${bl})|(${bh}))!==0){if(${dh}===0&&(${bh})===0){${dl}=((${dl}>>>0)%((${bl})>>>0))|0;}else{t=RT.umod64(${dh},${dl},${bh},${bl});${dh}=RT.OUT[0];${dl}=t;}}`);
          break;
        case 0x40: emit(`${dl}|=${bl};${dh}|=${bh};`); break;
        case 0x50: emit(`${dl}&=${bl};${dh}&=${bh};`); break;
        case 0xa0: emit(`${dl}^=${bl};${dh}^=${bh};`); break;
        case 0x60: case 0x70: case 0xc0: emit(shift64(code, dl, dh, x ? 'u' : String(imm & 63), x)); break;
        case 0x80: emit(`${dh}=(~${dh}+(${dl}===0?1:0))|0;${dl}=-${dl}|0;`); break;
        case 0xb0:
          if (off === 0) emit(`${dl}=${bl};${dh}=${bh};`);
          else if (off === 8) emit(`${dl}=(${bl}<<24)>>24;${dh}=${dl}>>31;`);
          else if (off === 16) emit(`${dl}=(${bl}<<16)>>16;${dh}=${dl}>>31;`);
          else if (off === 32) emit(`${dl}=${bl};${dh}=${dl}>>31;`);
          else emit(bad(k));
          break;
        case 0xd0:
          if (x) emit(bad(k));
          else if (imm === 16) emit(`${dl}=RT.bswap16(${dl});${dh}=0;`);
          else if (imm === 32) emit(`${dl}=RT.bswap32(${dl});${dh}=0;`);
          else if (imm === 64) emit(`t=${dh};${dh}=RT.bswap32(${dl});${dl}=RT.bswap32(t);`);
          else emit(bad(k));
          break;
        default: emit(bad(k));
      }
      continue;
    }
    if (cls === 5 || cls === 6) {
      const code = op & 0xf0;
      if (code === 0x00) {
        emit(x ? bad(k) : jumpTo(k, k + 1 + (cls === 5 ? off : imm)));
        continue;
      }
      if (cls === 5 && code === 0x90) {
        emit(`if(m.depth===stopDepth){${SYNC}m.pc=${k};return;}${SYNC}pc=m.popFrame();${LOAD}continue;`);
        continue;
      }
      if (cls === 5 && code === 0xe0) {
        emit(`if(m.mayGoto>0){m.mayGoto--;}else${jumpTo(k, k + 1 + off)}`);
        continue;
      }
      if (cls === 5 && code === 0x80) {
        if (x) {
          const r = imm !== 0 ? imm : d;
          if (r > 10) { emit(bad(k)); continue; }
          emit(`${SYNC}m.pc=${k};if(H[${r}]===RT.FUNC_PTR_HI){m.pushFrame(${k + 1});pc=L[${r}];${LOAD}if(budget<0)throw m.faultAt(${k},'budget','instruction budget exhausted');continue;}`
            + `if(H[${r}]!==0)throw m.faultAt(${k},'bad-pointer','callx through r${r}, which is not a function');m.callHelper(L[${r}]);${LOAD}if(m.pendingTail!==undefined){${SYNC}return;}`);
        } else if (s === 1) {
          const target = k + 1 + imm;
          if (target < 0 || target >= n) { emit(jumpTo(k, target)); continue; }
          emit(`${SYNC}m.pc=${k};m.pushFrame(${k + 1});${LOAD}${jumpTo(k, target).replace('{', '{if(budget<0){' + SYNC + 'throw m.faultAt(' + k + ",'budget','instruction budget exhausted');}")}`);
        } else if (s === 0) {
          emit(`${SYNC}m.pc=${k};m.callHelper(${imm});${LOAD_HELPER}if(m.pendingTail!==undefined){${SYNC}return;}`);
        } else {
          emit(`${SYNC}throw m.faultAt(${k},'unknown-helper','kfunc calls (btf id ${imm}) are not supported by the VM');`);
        }
        continue;
      }
      const bl = x ? `r${s}l` : `(${imm})`;
      const bh = x ? `r${s}h` : `(${imm >> 31})`;
      const c = cls === 6 ? cond32(code, dl, bl) : cond64(code, dl, dh, bl, bh);
      if (c === undefined) { emit(bad(k)); continue; }
      emit(`if(${c})${jumpTo(k, k + 1 + off)}`);
      continue;
    }
    const size = [4, 2, 1, 8][(op >> 3) & 3]!;
    const mode = op & 0xe0;
    if (cls === 1) {
      const [sl, sh] = R(s);
      // Fast path: a plain region (not the context) and an in-window access; else the Machine.
      emit(`a=(${sl}+${off})|0;g=RG[${sh}-${REGION_HI_BASE}];o=(a>>>0)-${REGION_LO_BASE};`
        + `if(g!==undefined&&g.ctx===undefined&&g.alive&&o>=g.start&&o+${size}<=g.end){${fastLoad(size)}}else{t=m.ld(${sh},a,${size},${k});w=m.ldHi;}`);
      if (mode === 0x80) {
        const ext = size === 1 ? '(t<<24)>>24' : size === 2 ? '(t<<16)>>16' : 't';
        emit(`${dl}=${ext};${dh}=${dl}>>31;`);
      } else {
        emit(`${dh}=w;${dl}=t;`);
      }
      continue;
    }
    if (cls === 2) {
      emit(fastStore(k, dh, dl, off, size, String(imm >> 31), String(imm)));
      continue;
    }
    if (cls === 3) {
      const [sl, sh] = R(s);
      if (mode === 0x60) emit(fastStore(k, dh, dl, off, size, sh, sl));
      else if ((imm === 0 || imm === 1) && (size === 4 || size === 8)) {
        // atomic add / fetch-add on a plain region inline; anything unusual goes to the Machine
        const upd = size === 4
          ? `t=g.view.getInt32(o,true);g.view.setInt32(o,(t+${sl})|0,true);${imm === 1 ? `${sl}=t;${sh}=0;` : ''}`
          : `t=g.view.getInt32(o,true);w=g.view.getInt32(o+4,true);u=(t>>>0)+(${sl}>>>0);g.view.setInt32(o,u|0,true);`
            + `g.view.setInt32(o+4,(w+${sh}+(u>4294967295?1:0))|0,true);${imm === 1 ? `${sl}=t;${sh}=w;` : ''}`;
        emit(`a=(${dl}+${off})|0;g=RG[${dh}-${REGION_HI_BASE}];o=(a>>>0)-${REGION_LO_BASE};`
          + `if(g!==undefined&&g.writable&&g.alive&&o>=g.start&&o+${size}<=g.end){${upd}}`
          + `else{${SYNC}m.pc=${k};m.atomic(${d},${s},${off},${imm},${size});${LOAD}}`);
      } else emit(`${SYNC}m.pc=${k};m.atomic(${d},${s},${off},${imm},${size});${LOAD}`);
      continue;
    }
    // LD
    if (op === LD_IMM64) {
      const src = s;
      if (src === 0) emit(`${dl}=${imm};${dh}=${p.imm2[k]};`);
      else if (src === 1 || src === 5) emit(`${dl}=${p.mapOfSlot[k]};${dh}=RT.MAP_PTR_HI;`);
      else if (src === 4) emit(`${dl}=${k + 1 + imm};${dh}=RT.FUNC_PTR_HI;`);
      else emit(`${SYNC}m.pc=${k};m.ldImm64(${k},${d});${LOAD}`);
      continue; // slot k+1's case sits in the trailer: this falls through to slot k+2
    }
    if (mode === 0x20 || mode === 0x40) {
      emit(`${SYNC}m.pc=${k};if(!m.ldAbsInd(${k},${mode},${size})){L[0]=0;H[0]=0;m.depth=stopDepth;return;}${LOAD}`);
      continue;
    }
    emit(bad(k));
  }
  emit(`${SYNC}throw m.faultAt(${n - 1},'pc-out-of-range','control reached slot ${n}, outside the program\\'s ${n} slots');`);

  const src = `"use strict";return function bpf_compiled(m,pc,stopDepth){const L=m.lo,H=m.hi;`
    + Array.from({ length: 11 }, (_, i) => `let r${i}l=L[${i}],r${i}h=H[${i}];`).join('')
    + `const RG=m.mem.regions;let budget=m.budget,t=0,u=0,v=0,w=0,a=0,o=0,g;for(;;){switch(pc){${out.join('\n')}\n${trailer.join('\n')}\n`
    + `default:${SYNC}throw m.faultAt(pc<0?0:${n - 1},'pc-out-of-range','control reached slot '+pc+', outside the program\\'s ${n} slots');}}};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('RT', src)(RUNTIME) as CompiledProgram;
}

function fastLoad(size: number): string {
  switch (size) {
    case 1: return 't=g.view.getUint8(o);w=0;';
    case 2: return 't=g.view.getUint16(o,true);w=0;';
    case 4: return 't=g.view.getInt32(o,true);w=0;';
    default: return 't=g.view.getInt32(o,true);w=g.view.getInt32(o+4,true);';
  }
}

function fastStore(k: number, bh: string, bl: string, off: number, size: number, vh: string, vl: string): string {
  let put: string;
  switch (size) {
    case 1: put = `g.view.setUint8(o,(${vl})&255);`; break;
    case 2: put = `g.view.setUint16(o,(${vl})&65535,true);`; break;
    case 4: put = `g.view.setInt32(o,${vl},true);`; break;
    default: put = `g.view.setInt32(o,${vl},true);g.view.setInt32(o+4,${vh},true);`;
  }
  return `a=(${bl}+${off})|0;g=RG[${bh}-${REGION_HI_BASE}];o=(a>>>0)-${REGION_LO_BASE};`
    + `if(g!==undefined&&g.writable&&g.alive&&o>=g.start&&o+${size}<=g.end){${put}}else{m.st(${bh},a,${size},${vh},${vl},${k});}`;
}

function shift64(code: number, dl: string, dh: string, n: string, dynamic: boolean): string {
  const body = (c: string): string => {
    switch (code) {
      case 0x60: return `if(${c}<32){${dh}=(${dh}<<${c})|(${dl}>>>(32-${c}));${dl}<<=${c};}else{${dh}=${dl}<<(${c}-32);${dl}=0;}`;
      case 0x70: return `if(${c}<32){${dl}=(${dl}>>>${c})|(${dh}<<(32-${c}));${dh}=(${dh}>>>${c})|0;}else{${dl}=(${dh}>>>(${c}-32))|0;${dh}=0;}`;
      default: return `if(${c}<32){${dl}=(${dl}>>>${c})|(${dh}<<(32-${c}));${dh}>>=${c};}else{${dl}=${dh}>>(${c}-32);${dh}>>=31;}`;
    }
  };
  if (dynamic) return `t=${n}&63;if(t!==0){${body('t')}}`;
  const c = Number(n);
  return c === 0 ? '' : body(String(c));
}

function cond32(code: number, a: string, b: string): string | undefined {
  switch (code) {
    case 0x10: return `${a}===${b}`;
    case 0x50: return `${a}!==${b}`;
    case 0x20: return `(${a}>>>0)>(${b}>>>0)`;
    case 0x30: return `(${a}>>>0)>=(${b}>>>0)`;
    case 0xa0: return `(${a}>>>0)<(${b}>>>0)`;
    case 0xb0: return `(${a}>>>0)<=(${b}>>>0)`;
    case 0x60: return `${a}>${b}`;
    case 0x70: return `${a}>=${b}`;
    case 0xc0: return `${a}<${b}`;
    case 0xd0: return `${a}<=${b}`;
    case 0x40: return `(${a}&${b})!==0`;
    default: return undefined;
  }
}

function cond64(code: number, al: string, ah: string, bl: string, bh: string): string | undefined {
  const u = (strict: string, eq: string): string => `((${ah}>>>0)${strict}(${bh}>>>0)||(${ah}===${bh}&&(${al}>>>0)${eq}(${bl}>>>0)))`;
  const s = (strict: string, eq: string): string => `(${ah}${strict}${bh}||(${ah}===${bh}&&(${al}>>>0)${eq}(${bl}>>>0)))`;
  switch (code) {
    case 0x10: return `(${al}===${bl}&&${ah}===${bh})`;
    case 0x50: return `(${al}!==${bl}||${ah}!==${bh})`;
    case 0x20: return u('>', '>');
    case 0x30: return u('>', '>=');
    case 0xa0: return u('<', '<');
    case 0xb0: return u('<', '<=');
    case 0x60: return s('>', '>');
    case 0x70: return s('>', '>=');
    case 0xc0: return s('<', '<');
    case 0xd0: return s('<', '<=');
    case 0x40: return `((${al}&${bl})!==0||(${ah}&${bh})!==0)`;
    default: return undefined;
  }
}
