// User-space cost per frame of the RX path, without the kernel: an RX ring and a fill ring
// in plain memory, a simulated kernel producing 256 descriptors at a time and consuming the
// fill ring, and the receiver loop of xsk_rx.c (peek 64, read the headers, recycle to the
// fill ring, release). The same loop in C with libxdp's xsk.h ring helpers and in
// TypeScript with bpf-ts's ConsumerRing/ProducerRing, same run, interleaved. This isolates
// what the language costs per frame, which the veth benchmark (afxdp-bench.ts) cannot on a
// busy machine.
//
//   npx tsx bench/afxdp-ring-bench.ts       env: FRAMES (default 50000000), RUNS (3)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsumerRing, isUdpTo, ProducerRing, udpFrame, parseMac } from '../src/afxdp/index.js';
import { MappedRegion } from '../src/sys/xsk-memory.js';

const FRAMES = Number(process.env.FRAMES ?? 50_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const NUM_FRAMES = 8192;
const FRAME_SIZE = 4096;
const RX_SIZE = 2048;
const FILL_SIZE = 4096;

const C_SOURCE = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <xdp/xsk.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

static inline int frame_matches(const uint8_t *p, uint32_t len, uint16_t dport_net) {
	const struct ethhdr *eth = (const void *)p;
	const struct iphdr *ip = (const void *)(eth + 1);
	const struct udphdr *udp = (const void *)(ip + 1);
	if (len < sizeof(*eth) + sizeof(*ip) + sizeof(*udp)) return 0;
	return eth->h_proto == htons(ETH_P_IP) && ip->protocol == IPPROTO_UDP && udp->dest == dport_net;
}

int main(int argc, char **argv) {
	uint64_t total = strtoull(argv[1], 0, 0);
	uint8_t *umem = aligned_alloc(4096, (size_t)${NUM_FRAMES} * ${FRAME_SIZE});
	const char *hex = argv[2];
	size_t flen = strlen(hex) / 2;
	for (size_t f = 0; f < ${NUM_FRAMES}; f++)
		for (size_t i = 0; i < flen; i++) { unsigned v; sscanf(hex + 2 * i, "%2x", &v); umem[f * ${FRAME_SIZE} + 256 + i] = v; }
	uint32_t *rxw = aligned_alloc(64, 256 + ${RX_SIZE} * 16), *fw = aligned_alloc(64, 256 + ${FILL_SIZE} * 8);
	memset(rxw, 0, 256); memset(fw, 0, 256);
	struct xsk_ring_cons rx = { .mask = ${RX_SIZE} - 1, .size = ${RX_SIZE}, .producer = rxw, .consumer = rxw + 16, .ring = rxw + 64, .flags = rxw + 32 };
	struct xsk_ring_prod fill = { .mask = ${FILL_SIZE} - 1, .size = ${FILL_SIZE}, .producer = fw, .consumer = fw + 16, .ring = fw + 64, .flags = fw + 32, .cached_cons = ${FILL_SIZE} };
	struct xdp_desc *descs = (void *)(rxw + 64);
	uint32_t kprod = 0, seq = 0;
	uint64_t got = 0, matched = 0;
	uint16_t dport = htons(9);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (got < total) {
		for (int k = 0; k < 256; k++, kprod++) {
			descs[kprod & (${RX_SIZE} - 1)].addr = (uint64_t)(seq++ & (${NUM_FRAMES} - 1)) * ${FRAME_SIZE} + 256;
			descs[kprod & (${RX_SIZE} - 1)].len = flen;
		}
		__atomic_store_n(rx.producer, kprod, __ATOMIC_RELEASE);
		__atomic_store_n(fill.consumer, __atomic_load_n(fill.producer, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
		for (;;) {
			uint32_t idx_rx = 0, idx_fq = 0;
			uint32_t n = xsk_ring_cons__peek(&rx, 64, &idx_rx);
			if (!n) break;
			while (xsk_ring_prod__reserve(&fill, n, &idx_fq) != n) ;
			for (uint32_t i = 0; i < n; i++) {
				const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rx, idx_rx + i);
				matched += frame_matches(umem + d->addr, d->len, dport);
				*xsk_ring_prod__fill_addr(&fill, idx_fq + i) = xsk_umem__extract_addr(d->addr) & ~(uint64_t)(${FRAME_SIZE} - 1);
			}
			xsk_ring_prod__submit(&fill, n);
			xsk_ring_cons__release(&rx, n);
			got += n;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	printf("%.2f %llu\n", ns / got, (unsigned long long)matched);
	return matched == got ? 0 : 1;
}
`;

const OFF = { producer: 0, consumer: 64, flags: 128, desc: 256 };

function tsRun(frame: Uint8Array): { nsPerFrame: number; matched: number } {
  const rr = MappedRegion.anonymous(256 + RX_SIZE * 16);
  const fr = MappedRegion.anonymous(256 + FILL_SIZE * 8);
  const um = MappedRegion.anonymous(NUM_FRAMES * FRAME_SIZE);
  try {
    const rx = new ConsumerRing(rr, OFF, RX_SIZE, 16);
    const fill = new ProducerRing(fr, OFF, FILL_SIZE, 8);
    const rxw = new Uint32Array(rr.buffer);
    const fw = new Uint32Array(fr.buffer);
    const bytes = new Uint8Array(um.buffer);
    for (let f = 0; f < NUM_FRAMES; f++) bytes.set(frame, f * FRAME_SIZE + 256);
    let kprod = 0;
    let seq = 0;
    let got = 0;
    let matched = 0;
    const t0 = performance.now();
    while (got < FRAMES) {
      // simulated kernel: 256 descriptors into RX, everything in the fill ring consumed
      for (let k = 0; k < 256; k++, kprod = (kprod + 1) >>> 0) {
        const w = OFF.desc / 4 + (kprod & (RX_SIZE - 1)) * 4;
        rxw[w] = (seq++ & (NUM_FRAMES - 1)) * FRAME_SIZE + 256;
        rxw[w + 1] = 0;
        rxw[w + 2] = frame.length;
      }
      Atomics.store(rxw, OFF.producer / 4, kprod);
      Atomics.store(fw, OFF.consumer / 4, Atomics.load(fw, OFF.producer / 4));
      // the receiver: what XskSocket.peek/addr/length/release do
      for (;;) {
        const n = rx.peek(64);
        if (n === 0) break;
        const idx = rx.peekIndex;
        fill.reserve(n);
        const fidx = fill.reserveIndex;
        for (let i = 0; i < n; i++) {
          const a = rx.addr(idx + i);
          if (isUdpTo(bytes, a, rx.len(idx + i), 9)) matched++;
          fill.setAddr(fidx + i, (a >>> 12) * 4096); // frame base (what FrameTable.frameOf/base compute)
        }
        fill.submit();
        rx.release();
        got += n;
      }
    }
    return { nsPerFrame: ((performance.now() - t0) * 1e6) / got, matched: matched === got ? 1 : 0 };
  } finally {
    rr.unmap();
    fr.unmap();
    um.unmap();
  }
}

const work = mkdtempSync(join(tmpdir(), 'bpfts-ring-bench-'));
try {
  writeFileSync(join(work, 'ring.c'), C_SOURCE);
  execFileSync('gcc', ['-O2', '-o', join(work, 'ring'), join(work, 'ring.c'), '-lxdp', '-lbpf']);
  const frame = udpFrame({ dstMac: parseMac('02:00:c6:12:00:02'), srcMac: parseMac('02:00:c6:12:00:01'), srcIp: '198.18.0.1', dstIp: '198.18.0.2', size: 64 });
  const hex = Buffer.from(frame).toString('hex');
  console.log(`RX ring loop without the kernel: ${FRAMES} frames, batch 64, header check + fill-ring recycle per frame, ${RUNS} runs`);
  const c: number[] = [];
  const ts: number[] = [];
  tsRun(frame); // JIT warm-up
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(join(work, 'ring'), [String(FRAMES), hex], { encoding: 'utf8', timeout: 120_000 }).trim().split(' ');
    c.push(Number(out[0]));
    const t = tsRun(frame);
    if (!t.matched) throw new Error('TS loop did not match every frame');
    ts.push(t.nsPerFrame);
    console.log(`  #${i + 1} C libxdp rings: ${c[i]!.toFixed(2)} ns/frame   bpf-ts rings: ${t.nsPerFrame.toFixed(2)} ns/frame`);
  }
  const med = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
  const mc = med(c);
  const mt = med(ts);
  console.log(`median: C ${mc.toFixed(2)} ns/frame (${(1e3 / mc).toFixed(1)} Mpps of user-space headroom), bpf-ts ${mt.toFixed(2)} ns/frame (${(1e3 / mt).toFixed(1)} Mpps); C/TS speed ratio ${(mc / mt).toFixed(2)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
