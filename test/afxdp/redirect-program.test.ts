// The redirect program written with the DSL encodes to the same bytes LLVM assembles from
// the equivalent assembly text (the map load relocated the same way).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { needOracle } from '../support/env.js';
import { encode } from '../../src/asm/encoding.js';
import { xskRedirectProgram } from '../../src/afxdp/index.js';

describe('XSK redirect program', () => {
  it('matches llvm-mc', (ctx) => {
    const mc = needOracle(ctx, 'llvm-mc-14');
    const objcopy = needOracle(ctx, 'llvm-objcopy-14');
    const dir = mkdtempSync(join(tmpdir(), 'bpfts-xskprog-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const src = join(dir, 'p.s');
    writeFileSync(src, ['r2 = *(u32 *)(r1 + 16)', 'r1 = xsks_map ll', 'r3 = 2', 'call 51', 'exit', ''].join('\n'));
    execFileSync(mc, ['-triple', 'bpf', '-filetype=obj', '-o', join(dir, 'p.o'), src]);
    execFileSync(objcopy, ['-O', 'binary', '--only-section=.text', join(dir, 'p.o'), join(dir, 'p.bin')]);
    const expected = new Uint8Array(readFileSync(join(dir, 'p.bin')));
    const insns = xskRedirectProgram();
    const ours = encode(insns.map((i) => ({ ...i, ref: undefined })));
    // llvm-mc leaves the map load with src 0 and a relocation; ours says BPF_PSEUDO_MAP_FD (src 1) for the loader.
    expect(ours[8 + 1]).toBe(0x11); // dst r1, src 1
    const norm = ours.slice();
    norm[9] = 0x01;
    expect(Buffer.from(norm).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
  });
});

describe('bring your own program and XSKMAP', () => {
  it('registers sockets in a user XSKMAP used by a user program', async (ctx) => {
    const { needKernel } = await import('../support/env.js');
    needKernel(ctx);
    const { createVethPair, pythonSender } = await import('./topology.js');
    const { startChild } = await import('./child.js');
    const { receiveAll } = await import('./receive.js');
    const { BpfMap, Program, attachXdp } = await import('../../src/loader/index.js');
    const { Umem, XskRedirect, XskSocket, udpFrame, parseMac } = await import('../../src/afxdp/index.js');
    const { ifNameToIndex } = await import('../../src/sys/index.js');
    const dsl = await import('../../src/asm/dsl/index.js');
    const pair = createVethPair();
    try {
      // A user program: frames whose byte 42 (first payload byte) is odd go to the socket of
      // queue 0, the others are dropped.
      using map = BpfMap.create({ type: 'xskmap', keySize: 4, valueSize: 4, maxEntries: 4, name: 'my_xsks' });
      const { insns } = dsl.assemble([
        dsl.load('u32', dsl.r2, dsl.r1, 0), // data
        dsl.load('u32', dsl.r3, dsl.r1, 4), // data_end
        dsl.mov(dsl.r4, dsl.r2),
        dsl.add(dsl.r4, 46),
        dsl.jgt(dsl.r4, dsl.r3, 'drop'),
        dsl.load('u8', dsl.r5, dsl.r2, 45),
        dsl.and(dsl.r5, 1),
        dsl.jeq(dsl.r5, 0, 'drop'),
        dsl.ldMap(dsl.r1, 'my_xsks'),
        dsl.mov(dsl.r2, 0),
        dsl.mov(dsl.r3, 1), // XDP_DROP when the map has no socket
        dsl.call('redirect_map'),
        dsl.exit(),
        dsl.label('drop'),
        dsl.mov(dsl.r0, 1),
        dsl.exit(),
      ]);
      using prog = Program.load({ type: 'xdp', insns, name: 'my_xsk_prog', maps: { my_xsks: map } });
      const att = attachXdp(prog.fd, ifNameToIndex(pair.host), { mode: 'native', via: 'link' });
      try {
        using umem = Umem.create({ frameCount: 512, fillSize: 256, completionSize: 256 });
        using xsk = XskSocket.create({ umem, dev: pair.host, rxSize: 256, txSize: 0 });
        const redirect = XskRedirect.withMap(map);
        redirect.register(xsk);
        const frame = udpFrame({ dstMac: parseMac(pair.hostMac), srcMac: parseMac(pair.peerMac), srcIp: '198.18.0.1', dstIp: '198.18.0.2', size: 64 });
        const sender = startChild(pair.inNs(pythonSender(pair.peer, Buffer.from(frame).toString('hex'), 100)), 30_000);
        expect(await xsk.readable(30_000)).toBe(true);
        const seqs: number[] = [];
        await receiveAll(xsk, { count: 50, idleMs: 2000, maxMs: 30_000, onFrame: (f) => seqs.push(f[45]!) });
        expect((await sender.done).stdout.trim()).toBe('100');
        expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i + 1));
        redirect.close(); // a user map is not closed by it
        expect(map.closed).toBe(false);
      } finally {
        if (att.kind === 'link') att.link.close();
      }
    } finally {
      pair.destroy();
    }
  }, 60_000);
});
