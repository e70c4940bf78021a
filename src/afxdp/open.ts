// One call for the common case: a UMEM, one socket on (dev, queue), and the redirect
// program with its XSKMAP attached to dev through a bpf_link. close() undoes it all.
import type { XdpAttachMode } from '../loader/index.js';
import { ifNameToIndex } from '../sys/index.js';
import { XskRedirect } from './redirect.js';
import { type BindMode, XskSocket } from './socket.js';
import { Umem } from './umem.js';

export interface OpenXskOptions {
  readonly dev: string;
  readonly queue?: number;
  readonly bind?: BindMode;
  /** XDP attach mode of the redirect program (default native). */
  readonly xdpMode?: XdpAttachMode;
  /** false: no program (TX only, or you attach your own and call redirect yourself). */
  readonly redirect?: boolean;
  readonly frameCount?: number;
  readonly frameSize?: number;
  readonly headroom?: number;
  readonly hugePages?: boolean;
  readonly fillSize?: number;
  readonly completionSize?: number;
  readonly rxSize?: number;
  readonly txSize?: number;
  readonly needWakeup?: boolean;
}

export interface OpenXsk extends Disposable {
  readonly umem: Umem;
  readonly xsk: XskSocket;
  readonly redirect: XskRedirect | undefined;
  close(): void;
}

export function openXsk(opts: OpenXskOptions): OpenXsk {
  const ifindex = ifNameToIndex(opts.dev);
  const umem = Umem.create({
    ...(opts.frameCount !== undefined ? { frameCount: opts.frameCount } : {}),
    ...(opts.frameSize !== undefined ? { frameSize: opts.frameSize } : {}),
    ...(opts.headroom !== undefined ? { headroom: opts.headroom } : {}),
    ...(opts.hugePages !== undefined ? { hugePages: opts.hugePages } : {}),
    ...(opts.fillSize !== undefined ? { fillSize: opts.fillSize } : {}),
    ...(opts.completionSize !== undefined ? { completionSize: opts.completionSize } : {}),
  });
  let redirect: XskRedirect | undefined;
  try {
    const xsk = XskSocket.create({
      umem,
      dev: ifindex,
      queue: opts.queue ?? 0,
      ...(opts.bind !== undefined ? { bind: opts.bind } : {}),
      ...(opts.rxSize !== undefined ? { rxSize: opts.rxSize } : {}),
      ...(opts.txSize !== undefined ? { txSize: opts.txSize } : {}),
      ...(opts.needWakeup !== undefined ? { needWakeup: opts.needWakeup } : {}),
    });
    if (opts.redirect !== false && xsk.hasRx) {
      redirect = XskRedirect.attach(ifindex, { mode: opts.xdpMode ?? 'native' });
      redirect.register(xsk);
    }
    const close = (): void => {
      xsk.close();
      redirect?.close();
      umem.close();
    };
    return { umem, xsk, redirect, close, [Symbol.dispose]: close };
  } catch (e) {
    redirect?.close();
    umem.close();
    throw e;
  }
}
