// bpf_link: an attachment owned by an fd. It goes away when the last fd closes (the process
// dies) unless pinned on bpffs.
import { bpf, BpfCmd, GetIdAttr, LinkCreateAttr, LinkDetachAttr, LinkUpdateAttr, scratchAttr } from '../sys/index.js';
import { AttachType } from '../elf/bpf-enums.js';
import { FdObject } from './fd-object.js';
import { expectObjectKind, linkInfo, type LinkInfo } from './info.js';
import { openPinnedFdOf, pinFd } from './pin.js';

export class Link extends FdObject {
  protected constructor(fd: number) {
    super(fd);
  }

  /** BPF_LINK_CREATE. `target` is an ifindex for XDP, a cgroup/netns fd for others. */
  static create(progFd: number, target: number, attachType: number, flags = 0, context?: string): Link {
    const attr = scratchAttr();
    const v = attr.view;
    v.setUint32(LinkCreateAttr.off.prog_fd, progFd, true);
    v.setUint32(LinkCreateAttr.off.target_fd, target, true);
    v.setUint32(LinkCreateAttr.off.attach_type, attachType, true);
    v.setUint32(LinkCreateAttr.off.flags, flags, true);
    return new Link(bpf(BpfCmd.LINK_CREATE, attr, context));
  }

  /** An XDP link on `ifindex` with XdpFlags mode bits (SKB_MODE/DRV_MODE or 0). */
  static xdp(progFd: number, ifindex: number, flags = 0): Link {
    return Link.create(progFd, ifindex, AttachType.XDP, flags, `XDP on ifindex ${ifindex}`);
  }

  /** Wrap an fd (the Link owns it once this returns); ObjectKindError when it is not a link. */
  static fromFd(fd: number): Link {
    expectObjectKind(fd, 'link');
    return new Link(fd);
  }

  /** Open a link pinned on bpffs; ObjectKindError ("PATH is a map, not a link") when the pin is not a link. */
  static fromPinned(path: string): Link {
    return new Link(openPinnedFdOf(path, 'link'));
  }

  static fromId(id: number): Link {
    const attr = scratchAttr();
    attr.view.setUint32(GetIdAttr.off.start_id, id, true);
    return new Link(bpf(BpfCmd.LINK_GET_FD_BY_ID, attr, `link id ${id}`));
  }

  info(): LinkInfo {
    return linkInfo(this.fd);
  }

  /** Pin on bpffs: the attachment then outlives this process until unpinned and detached. */
  pin(path: string): void {
    pinFd(this.fd, path);
  }

  /** Swap in another program without a gap (BPF_LINK_UPDATE). */
  update(newProgFd: number, oldProgFd?: number): void {
    const attr = scratchAttr();
    const v = attr.view;
    v.setUint32(LinkUpdateAttr.off.link_fd, this.fd, true);
    v.setUint32(LinkUpdateAttr.off.new_prog_fd, newProgFd, true);
    if (oldProgFd !== undefined) {
      v.setUint32(LinkUpdateAttr.off.flags, 1 << 2 /* BPF_F_REPLACE */, true);
      v.setUint32(LinkUpdateAttr.off.old_prog_fd, oldProgFd, true);
    }
    bpf(BpfCmd.LINK_UPDATE, attr);
  }

  /** BPF_LINK_DETACH: end the attachment now, even if pinned or held elsewhere. Closes the fd. */
  detach(): void {
    const attr = scratchAttr();
    attr.view.setUint32(LinkDetachAttr.off.link_fd, this.fd, true);
    bpf(BpfCmd.LINK_DETACH, attr);
    this.close();
  }
}

