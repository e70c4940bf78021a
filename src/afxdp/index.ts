// src/afxdp: AF_XDP sockets in TypeScript: UMEM, the four rings, redirect program, RX/TX.
export { Umem, type UmemOptions } from './umem.js';
export { XskSocket, type BindMode, type XskSocketOptions } from './socket.js';
export { XskRedirect, type XskRedirectOptions } from './redirect.js';
export { xskRedirectProgram, XSKMAP_NAME, XDP_MD_RX_QUEUE_INDEX } from './redirect-program.js';
export { FrameState, FrameTable } from './frames.js';
export { ConsumerRing, ProducerRing } from './ring.js';
export { FrameOwnershipError, XskClosedError, XskError, ZeroCopyUnsupportedError } from './errors.js';
export { isUdpTo, parseBenchIp, parseMac, swapMacs, udpFrame, UDP_PAYLOAD_OFFSET, writeUdpFrame, type UdpFrameSpec } from './packet.js';
export type { XdpStatistics } from '../sys/xsk-abi.js';
export { batches, frames, receiveBusy, waitForFrames, type BusyReceiveOptions, type FramesOptions, type ReceiveResult, type WaitOptions } from './wait.js';
export { openXsk, type OpenXsk, type OpenXskOptions } from './open.js';
