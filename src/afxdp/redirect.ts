// The XSKMAP and the redirect program on one interface, attached through a bpf_link (so
// the attachment leaves with the process), or a map the user's own program already uses.
import { BpfMap, attachXdp, Program, type XdpAttachment, type XdpAttachMode } from '../loader/index.js';
import { XskClosedError, XskError } from './errors.js';
import { xskRedirectProgram, XSKMAP_NAME } from './redirect-program.js';
import type { XskSocket } from './socket.js';

export interface XskRedirectOptions {
  /** native (driver), skb (generic) or auto (the kernel picks). Default native. */
  readonly mode?: XdpAttachMode;
  /** XSKMAP entries, i.e. the highest queue id + 1 served (default 64). */
  readonly maxQueues?: number;
  /** What packets on a queue without a socket get: pass (default) or drop. */
  readonly fallback?: 'pass' | 'drop';
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

export class XskRedirect {
  readonly map: BpfMap;
  readonly program: Program | undefined;
  readonly attachment: XdpAttachment | undefined;
  readonly #ownsMap: boolean;
  #closed = false;

  private constructor(map: BpfMap, ownsMap: boolean, program?: Program, attachment?: XdpAttachment) {
    this.map = map;
    this.#ownsMap = ownsMap;
    this.program = program;
    this.attachment = attachment;
  }

  /** Create an XSKMAP, load the redirect program and attach it to `ifindex` with a bpf_link. */
  static attach(ifindex: number, opts: XskRedirectOptions = {}): XskRedirect {
    const maxQueues = opts.maxQueues ?? 64;
    if (!Number.isInteger(maxQueues) || maxQueues < 1 || maxQueues > 4096) throw new XskError(`maxQueues ${maxQueues} must be from 1 to 4096`);
    const map = BpfMap.create({ type: 'xskmap', keySize: 4, valueSize: 4, maxEntries: maxQueues, name: XSKMAP_NAME });
    let prog: Program | undefined;
    try {
      prog = Program.load({ type: 'xdp', insns: xskRedirectProgram({ fallback: opts.fallback ?? 'pass' }), name: 'xsk_redirect', license: 'GPL', maps: { [XSKMAP_NAME]: map } });
      const attachment = attachXdp(prog.fd, ifindex, { mode: opts.mode ?? 'native', via: 'link' });
      return new XskRedirect(map, true, prog, attachment);
    } catch (e) {
      prog?.close();
      map.close();
      throw e;
    }
  }

  /** Use the XSKMAP of a program you load and attach yourself (it is not closed by close()). */
  static withMap(map: BpfMap): XskRedirect {
    if (map.typeName !== 'xskmap' && map.typeName !== 'XSKMAP') throw new XskError(`map ${map.name || map.fd} is a ${map.typeName} map, not an XSKMAP`);
    return new XskRedirect(map, false);
  }

  /** Steer the socket's queue to it; the entry is removed when the socket closes. */
  register(sock: XskSocket): void {
    if (this.#closed) throw new XskClosedError('XSK redirect is closed');
    if (sock.queue >= this.map.maxEntries) throw new XskError(`queue ${sock.queue} is beyond the XSKMAP's ${this.map.maxEntries} entries`);
    this.map.update(u32(sock.queue), u32(sock.fd));
    const queue = sock.queue;
    sock.onClose(() => {
      if (!this.#closed) this.unregister(queue);
    });
  }

  /** Stop steering `queue` (its packets then get the fallback action). */
  unregister(queue: number): void {
    if (this.#closed) return;
    this.map.delete(u32(queue));
  }

  /** Detach (bpf_link), unload, close the map (unless it was the user's). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.attachment?.kind === 'link') this.attachment.link.close();
    this.program?.close();
    if (this.#ownsMap) this.map.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
