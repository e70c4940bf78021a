// A minimal rtnetlink client over a raw NETLINK_ROUTE socket: build a request, send it,
// collect the replies, turn NLMSG_ERROR (with the kernel's extack message) into NetlinkError.
import { NetlinkError, SystemError } from './errors.js';
import { c, errno } from './libc.js';
import { NativeBuffer } from './native-buffer.js';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_ROUTE = 0;
const SOL_NETLINK = 270;
const NETLINK_EXT_ACK = 11;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP = 0x300;
const NLM_F_CAPPED = 0x100;
const NLM_F_ACK_TLVS = 0x200;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
const NLMSGERR_ATTR_MSG = 1;
export const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = 0x3fff;

export const NLMSG_HDRLEN = 16;
const RECV_SIZE = 65536;

export const align4 = (n: number): number => (n + 3) & ~3;

/** One netlink attribute: type (flags stripped) and payload. */
export interface NlAttr {
  readonly type: number;
  readonly data: Uint8Array;
}

/** Parse a run of attributes. Malformed lengths end the walk instead of throwing. */
export function parseAttrs(bytes: Uint8Array): NlAttr[] {
  const out: NlAttr[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  while (off + 4 <= bytes.length) {
    const len = dv.getUint16(off, true);
    const type = dv.getUint16(off + 2, true) & NLA_TYPE_MASK;
    if (len < 4 || off + len > bytes.length) break;
    out.push({ type, data: bytes.subarray(off + 4, off + len) });
    off += align4(len);
  }
  return out;
}

/** Builds attributes in order; nested ones with begin/end. */
export class AttrWriter {
  readonly #buf = new Uint8Array(4096);
  readonly #dv = new DataView(this.#buf.buffer);
  #len = 0;
  readonly #open: number[] = [];

  u32(type: number, value: number): this {
    this.#header(type, 8);
    this.#dv.setUint32(this.#len + 4, value >>> 0, true);
    this.#len += 8;
    return this;
  }

  s32(type: number, value: number): this {
    this.#header(type, 8);
    this.#dv.setInt32(this.#len + 4, value, true);
    this.#len += 8;
    return this;
  }

  begin(type: number): this {
    this.#open.push(this.#len);
    this.#header(type | NLA_F_NESTED, 4);
    this.#len += 4;
    return this;
  }

  end(): this {
    const start = this.#open.pop();
    if (start === undefined) throw new Error('AttrWriter.end without begin');
    this.#dv.setUint16(start, this.#len - start, true);
    return this;
  }

  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  #header(type: number, len: number): void {
    this.#dv.setUint16(this.#len, len, true);
    this.#dv.setUint16(this.#len + 2, type, true);
  }
}

/** A reply message: type, flags and the payload after the nlmsghdr. */
export interface NlMessage {
  readonly type: number;
  readonly flags: number;
  readonly payload: Uint8Array;
}

/** An open NETLINK_ROUTE socket. */
export class RtNetlink {
  readonly #fd: number;
  readonly #rx = new NativeBuffer(RECV_SIZE);
  #seq = Math.floor(Math.random() * 0x7fffffff);
  #closed = false;

  constructor() {
    const fd = c().socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) throw new SystemError('socket(AF_NETLINK)', errno());
    this.#fd = fd;
    const one = new Uint8Array(4);
    new DataView(one.buffer).setUint32(0, 1, true);
    c().setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one, 4); // best effort: older kernels lack extack
    const sa = new Uint8Array(12);
    new DataView(sa.buffer).setUint16(0, AF_NETLINK, true);
    if (c().bind(fd, sa, 12) < 0) {
      const e = errno();
      c().close(fd);
      throw new SystemError('bind(AF_NETLINK)', e);
    }
  }

  /**
   * Send one request (header + `body`) and collect replies until the ACK, NLMSG_DONE or the
   * single answer. `what` names the operation in errors.
   */
  request(type: number, flags: number, body: Uint8Array, what: string): NlMessage[] {
    const seq = ++this.#seq;
    const len = NLMSG_HDRLEN + body.length;
    const msg = new Uint8Array(align4(len));
    const dv = new DataView(msg.buffer);
    dv.setUint32(0, len, true);
    dv.setUint16(4, type, true);
    dv.setUint16(6, flags | NLM_F_REQUEST, true);
    dv.setUint32(8, seq, true);
    dv.setUint32(12, 0, true);
    msg.set(body, NLMSG_HDRLEN);
    const kernel = new Uint8Array(12);
    new DataView(kernel.buffer).setUint16(0, AF_NETLINK, true);
    if (c().sendto(this.#fd, msg, msg.length, 0, kernel, 12) < 0) throw new SystemError('sendto(netlink)', errno(), what);

    const out: NlMessage[] = [];
    const wantAck = (flags & NLM_F_ACK) !== 0;
    const dump = (flags & NLM_F_DUMP) === NLM_F_DUMP;
    // Bounded: a dump of thousands of links takes a few hundred datagrams at most.
    for (let datagrams = 0; datagrams < 100_000; datagrams++) {
      const n = c().recvfrom(this.#fd, this.#rx.address, RECV_SIZE, 0, null, null);
      if (n < 0) {
        const e = errno();
        if (e === 4) continue; // EINTR
        throw new SystemError('recvfrom(netlink)', e, what);
      }
      let off = 0;
      const rv = this.#rx.view;
      while (off + NLMSG_HDRLEN <= n) {
        const mlen = rv.getUint32(off, true);
        const mtype = rv.getUint16(off + 4, true);
        const mflags = rv.getUint16(off + 6, true);
        const mseq = rv.getUint32(off + 8, true);
        if (mlen < NLMSG_HDRLEN || off + mlen > n) break;
        if (mseq === seq) {
          const payload = this.#rx.bytes.slice(off + NLMSG_HDRLEN, off + mlen);
          if (mtype === NLMSG_ERROR) {
            const err = -new DataView(payload.buffer).getInt32(0, true);
            if (err !== 0) throw new NetlinkError(what, err, extackMessage(payload, mflags));
            return out; // the ACK
          }
          if (mtype === NLMSG_DONE) return out;
          out.push({ type: mtype, flags: mflags, payload });
          if (!wantAck && !dump && (mflags & NLM_F_MULTI) === 0) return out;
        }
        off += align4(mlen);
      }
    }
    throw new NetlinkError(what, 5 /* EIO */, 'no end of netlink reply');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    c().close(this.#fd);
    this.#rx.free();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** NLMSGERR_ATTR_MSG from an NLMSG_ERROR payload, when the kernel attached one. */
function extackMessage(payload: Uint8Array, flags: number): string | undefined {
  if ((flags & NLM_F_ACK_TLVS) === 0 || payload.length < 4 + NLMSG_HDRLEN) return undefined;
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const origLen = dv.getUint32(4, true);
  const tlvStart = (flags & NLM_F_CAPPED) !== 0 ? 4 + NLMSG_HDRLEN : 4 + align4(origLen);
  if (tlvStart > payload.length) return undefined;
  for (const a of parseAttrs(payload.subarray(tlvStart))) {
    if (a.type === NLMSGERR_ATTR_MSG) {
      let end = a.data.indexOf(0);
      if (end < 0) end = a.data.length;
      return new TextDecoder().decode(a.data.subarray(0, end));
    }
  }
  return undefined;
}
