// RX: frames sent from the peer namespace by the C generator (xdp_gen: BPF_PROG_TEST_RUN
// live frames) and by our own `xsk tx`, received in-process. Every frame is accounted for
// (received + drops the kernel reports = sent) and arrives intact.
import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { cliArgv, startChild } from './child.js';
import { receiveAll } from './receive.js';
import { buildFrameSender, createVethPair, framesSent } from './topology.js';
import { parseMac, udpFrame, Umem, XskRedirect, XskSocket } from '../../src/afxdp/index.js';
import { ifNameToIndex } from '../../src/sys/index.js';

function kernelDrops(xsk: XskSocket): number {
  const s = xsk.statistics();
  return Number(s.rxDropped + s.rxRingFull + s.rxInvalidDescs);
}

describe('AF_XDP receive', () => {
  it('accounts for every frame of the C generator and receives them intact', async (ctx) => {
    needKernel(ctx);
    // xdp_gen sends through live-frames test runs; where the kernel refuses those, the
    // reference AF_PACKET sender sends the same frame (and reports what the kernel took).
    const sender = buildFrameSender();
    const live = sender.name === 'xdp_gen';
    const gen = sender.path;
    if (gen === undefined) return ctx.skip(`could not build ${sender.name} with gcc`);
    const pair = createVethPair();
    try {
      using redirect = XskRedirect.attach(ifNameToIndex(pair.host));
      using umem = Umem.create({ frameCount: 8192, fillSize: 4096 });
      using xsk = XskSocket.create({ umem, dev: pair.host, rxSize: 4096, txSize: 0, bind: 'copy' });
      redirect.register(xsk);
      // What common.h's build_udp_frame makes: 198.18.0.1:40000 -> 198.18.0.2:9, 64 bytes.
      const expected = udpFrame({ dstMac: parseMac(pair.hostMac), srcMac: parseMac(pair.peerMac), srcIp: '198.18.0.1', dstIp: '198.18.0.2', srcPort: 40000, dstPort: 9, size: 64 });
      const N = 200_000;
      const before = pair.counters('peer');
      const child = startChild(pair.inNs([gen, '-i', pair.peer, '-n', String(N), '-m', pair.hostMac, '-M', pair.peerMac]), 30_000);
      let bad = 0;
      const got = await receiveAll(xsk, {
        count: N,
        idleMs: 1000,
        maxMs: 30_000,
        onFrame: (f) => {
          if (f.length !== 64 || !f.every((b, i) => b === expected[i])) bad++;
        },
      });
      const res = await child.done;
      expect(res.code, res.stderr).toBe(0);
      const sent = framesSent(res.stdout);
      if (live) expect(sent).toBe(N);
      else expect(sent).toBeGreaterThan(N / 2); // AF_PACKET may refuse a few (ENOBUFS)
      const vethDrops = pair.counters('peer').txDropped - before.txDropped;
      expect(bad).toBe(0);
      expect(got).toBeGreaterThan(0);
      expect(got + kernelDrops(xsk) + vethDrops).toBe(sent);
    } finally {
      pair.destroy();
    }
  }, 120_000);

  it('receives every frame our own TX sends from the peer, in order and intact', async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      using redirect = XskRedirect.attach(ifNameToIndex(pair.host));
      using umem = Umem.create({ frameCount: 8192, fillSize: 4096 });
      using xsk = XskSocket.create({ umem, dev: pair.host, rxSize: 4096, txSize: 0 });
      redirect.register(xsk);
      const N = 20_000;
      const size = 128;
      const template = udpFrame({ dstMac: parseMac(pair.hostMac), srcMac: parseMac(pair.peerMac), srcIp: '198.18.0.1', dstIp: '198.18.0.2', dstPort: 9, size });
      const before = pair.counters('peer');
      const child = startChild(pair.inNs(cliArgv(['xsk', 'tx', '--dev', pair.peer, '--count', String(N), '--size', String(size), '--dst-mac', pair.hostMac, '--copy', '--json'])), 60_000);
      const seen = new Uint8Array(N);
      let bad = 0;
      let outOfOrder = 0;
      let prev = -1;
      const got = await receiveAll(xsk, {
        count: N,
        idleMs: 3000,
        maxMs: 60_000,
        onFrame: (f) => {
          const seq = ((f[42]! << 24) | (f[43]! << 16) | (f[44]! << 8) | f[45]!) >>> 0;
          if (f.length !== size || seq >= N || seen[seq]) return void bad++;
          for (let i = 0; i < size; i++) if (i < 42 || i > 45 ? f[i] !== template[i] : false) return void bad++;
          seen[seq] = 1;
          if (seq < prev) outOfOrder++;
          prev = seq;
        },
      });
      const res = await child.done;
      expect(res.code, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout) as { sent: number; completed: number };
      expect(report.sent).toBe(N);
      expect(report.completed).toBe(N);
      const vethDrops = pair.counters('peer').txDropped - before.txDropped;
      expect(bad).toBe(0);
      expect(outOfOrder).toBe(0);
      expect(got + kernelDrops(xsk) + vethDrops).toBe(N);
    } finally {
      pair.destroy();
    }
  }, 120_000);
});

describe('bpf-ts xsk rx', () => {
  it('prints {received, dropped, seconds, pps} that account for every frame sent', async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      const N = 5000;
      for (const mode of ['--busy', '--poll']) {
        const rx = startChild(cliArgv(['xsk', 'rx', '--dev', pair.host, mode, '--copy', '--count', String(N), '--first-ms', '30000', '--idle-ms', '2000', '--json']), 60_000);
        expect(await rx.waitFor(/ready/, 30_000), rx.output().stderr).toBe(true);
        const before = pair.counters('peer');
        const tx = startChild(pair.inNs(cliArgv(['xsk', 'tx', '--dev', pair.peer, '--count', String(N), '--dst-mac', pair.hostMac, '--json'])), 60_000);
        expect((await tx.done).code).toBe(0);
        const r = await rx.done;
        expect(r.code, r.stderr).toBe(0);
        const report = JSON.parse(r.stdout) as Record<string, number>;
        expect(Object.keys(report).slice(0, 4)).toEqual(['received', 'dropped', 'seconds', 'pps']);
        const vethDrops = pair.counters('peer').txDropped - before.txDropped;
        expect(report.received! + report.dropped! + vethDrops).toBe(N);
        expect(report.matched).toBe(report.received);
        expect(report.received).toBeGreaterThan(0);
      }
    } finally {
      pair.destroy();
    }
  }, 180_000);
});
