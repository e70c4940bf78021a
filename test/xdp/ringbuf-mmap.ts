// Test support: map a kernel ring buffer (BpfMap fd) the way libbpf's ring_buffer does, so
// src/xdp's pure record reader can be checked against what the kernel wrote.
import { MAP_SHARED, mmap, munmap, PROT_READ, PROT_WRITE, viewOf } from '../../src/sys/index.js';
import type { RingbufViews } from '../../src/xdp/index.js';

const PAGE = 4096;

export function mapRingbuf(fd: number, size: number): RingbufViews & { close(): void } {
  const cAddr = mmap(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  const pLen = PAGE + 2 * size;
  let pAddr: bigint;
  try {
    pAddr = mmap(pLen, PROT_READ, MAP_SHARED, fd, PAGE);
  } catch (e) {
    munmap(cAddr, PAGE);
    throw e;
  }
  const prodBuf = viewOf(pAddr, pLen);
  return {
    consumer: new DataView(viewOf(cAddr, PAGE)),
    producer: new DataView(prodBuf, 0, PAGE),
    data: new Uint8Array(prodBuf, PAGE, 2 * size),
    size,
    close: () => {
      munmap(pAddr, pLen);
      munmap(cAddr, PAGE);
    },
  };
}
