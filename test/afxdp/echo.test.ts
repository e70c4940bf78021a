// Echo: frames from the peer come back with their MACs swapped (RX and TX on one UMEM,
// no copy), counted and checked by an AF_PACKET socket in the peer namespace.
import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { cliArgv, startChild } from './child.js';
import { createVethPair } from './topology.js';
import { parseMac, swapMacs, udpFrame, Umem, waitForFrames, XskRedirect, XskSocket } from '../../src/afxdp/index.js';
import { ifNameToIndex } from '../../src/sys/index.js';

/** Python in the peer namespace: send N numbered frames in chunks, count the ones echoed back intact. */
function peerScript(iface: string, frame: Uint8Array, n: number, hostMac: string, peerMac: string): string[] {
  const hex = Buffer.from(frame).toString('hex');
  const code = `
import socket, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.setsockopt(socket.SOL_SOCKET, 33, 1 << 24)
s.bind((${JSON.stringify(iface)}, 0))
s.setblocking(False)
f = bytes.fromhex(${JSON.stringify(hex)})
host = bytes.fromhex(${JSON.stringify(hostMac.replace(/:/g, ''))}); peer = bytes.fromhex(${JSON.stringify(peerMac.replace(/:/g, ''))})
N = ${n}; seen = set(); bad = 0; sent = 0
def drain():
    global bad
    while True:
        try: p = s.recv(4096)
        except BlockingIOError: return
        if p[0:6] != peer or p[6:12] != host: continue
        q = int.from_bytes(p[42:46], 'big')
        if len(p) != len(f) or p[12:42] != f[12:42] or p[46:] != f[46:] or q >= N or q in seen: bad += 1
        else: seen.add(q)
t = time.time()
while sent < N and time.time() - t < 20:
    for _ in range(50):
        if sent < N:
            s.send(f[:42] + sent.to_bytes(4, 'big') + f[46:]); sent += 1
    time.sleep(0.001)
    drain()
while len(seen) < N and time.time() - t < 25:
    time.sleep(0.01); drain()
print(sent, len(seen), bad)
`;
  return ['python3', '-c', code];
}

describe('AF_XDP echo', () => {
  it('sends every received frame back with swapped MACs (in-process, event-loop waiting)', async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      using redirect = XskRedirect.attach(ifNameToIndex(pair.host));
      using umem = Umem.create({ frameCount: 4096, frameSize: 2048 });
      using xsk = XskSocket.create({ umem, dev: pair.host });
      redirect.register(xsk);
      const N = 3000;
      const frame = udpFrame({ dstMac: parseMac(pair.hostMac), srcMac: parseMac(pair.peerMac), srcIp: '198.18.0.1', dstIp: '198.18.0.2', size: 100 });
      const peer = startChild(pair.inNs(peerScript(pair.peer, frame, N, pair.hostMac, pair.peerMac)), 40_000);
      let exited = false;
      void peer.done.then(() => (exited = true));
      let echoed = 0;
      const t0 = Date.now();
      while (!exited && Date.now() - t0 < 40_000) {
        if (!(await waitForFrames(xsk, { timeoutMs: 200, maxSleepMs: 1 }))) {
          xsk.flush();
          xsk.complete();
          xsk.refill();
          continue;
        }
        const n = xsk.peek(64);
        for (let i = 0; i < n; i++) {
          const a = xsk.take(i);
          swapMacs(xsk.bytes.subarray(a, a + 12));
          if (xsk.send(a, xsk.length(i))) echoed++;
          else xsk.freeFrame(a);
        }
        xsk.release();
        xsk.flush();
        xsk.complete();
        xsk.refill();
      }
      const res = await peer.done;
      expect(res.code, res.stderr).toBe(0);
      const [sent, back, bad] = res.stdout.trim().split(/\s+/).map(Number);
      expect(sent).toBe(N);
      expect(bad).toBe(0);
      expect(back).toBe(N);
      expect(echoed).toBe(N);
    } finally {
      pair.destroy();
    }
  }, 120_000);

  it('bpf-ts xsk echo does the same from the command line', async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      const N = 1000;
      const echo = startChild(cliArgv(['xsk', 'echo', '--dev', pair.host, '--count', String(N), '--first-ms', '20000', '--idle-ms', '3000', '--json']), 60_000);
      expect(await echo.waitFor(/ready/, 30_000)).toBe(true);
      const frame = udpFrame({ dstMac: parseMac(pair.hostMac), srcMac: parseMac(pair.peerMac), srcIp: '198.18.0.1', dstIp: '198.18.0.2', size: 64 });
      const peer = startChild(pair.inNs(peerScript(pair.peer, frame, N, pair.hostMac, pair.peerMac)), 40_000);
      const p = await peer.done;
      const e = await echo.done;
      expect(e.code, e.stderr).toBe(0);
      expect(p.stdout.trim()).toBe(`${N} ${N} 0`);
      const report = JSON.parse(e.stdout) as { received: number; echoed: number };
      expect(report.received).toBe(N);
      expect(report.echoed).toBe(N);
      void swapMacs;
    } finally {
      pair.destroy();
    }
  }, 120_000);
});
