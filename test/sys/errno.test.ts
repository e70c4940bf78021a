// errno hints: EPERM and EACCES say "run as root" only to a process that is not privileged;
// to root (or a process holding CAP_BPF and CAP_NET_ADMIN) they say what else the refusal means.
import { describe, expect, it } from 'vitest';
import {
  capEffOf,
  currentCredentials,
  currentPrivilege,
  errnoHint,
  isInitialUidMap,
  privilegeOf,
  withPrivilege,
  type Privilege,
} from '../../src/sys/errno.js';
import { BpfError, NetlinkError, SystemError } from '../../src/sys/errors.js';

const EPERM = 1;
const EACCES = 13;
const ENOENT = 2;

const ALL_CAPS = (1n << 41n) - 1n;
const bit = (n: number): bigint => 1n << BigInt(n);
const CAP_NET_ADMIN = bit(12);
const CAP_SYS_ADMIN = bit(21);
const CAP_BPF = bit(39);

describe('privilegeOf', () => {
  const cases: { what: string; euid: number; capEff?: bigint; initialUserNs?: boolean; want: Privilege }[] = [
    { what: 'root with every capability', euid: 0, capEff: ALL_CAPS, initialUserNs: true, want: 'root' },
    { what: 'root, /proc unreadable', euid: 0, want: 'root' },
    { what: 'root without CAP_BPF or CAP_SYS_ADMIN (a container)', euid: 0, capEff: CAP_NET_ADMIN, initialUserNs: true, want: 'limited' },
    { what: 'root without CAP_NET_ADMIN', euid: 0, capEff: CAP_BPF, initialUserNs: true, want: 'limited' },
    { what: 'root in a user namespace (unshare -Ur)', euid: 0, capEff: ALL_CAPS, initialUserNs: false, want: 'limited' },
    { what: 'nobody, no capabilities', euid: 65534, capEff: 0n, initialUserNs: true, want: 'unprivileged' },
    { what: 'nobody, /proc unreadable', euid: 65534, want: 'unprivileged' },
    { what: 'nobody with CAP_BPF and CAP_NET_ADMIN', euid: 65534, capEff: CAP_BPF | CAP_NET_ADMIN, initialUserNs: true, want: 'capable' },
    { what: 'nobody with CAP_SYS_ADMIN and CAP_NET_ADMIN', euid: 65534, capEff: CAP_SYS_ADMIN | CAP_NET_ADMIN, want: 'capable' },
    { what: 'nobody with CAP_BPF only', euid: 65534, capEff: CAP_BPF, initialUserNs: true, want: 'unprivileged' },
  ];
  for (const c of cases) {
    it(`${c.what} → ${c.want}`, () => {
      expect(privilegeOf({ euid: c.euid, capEff: c.capEff, initialUserNs: c.initialUserNs })).toBe(c.want);
    });
  }

  it('reads CapEff and the uid map as /proc writes them', () => {
    const status = 'Name:\tnode\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t0000008000001000\nCapBnd:\t000001ffffffffff\n';
    expect(capEffOf(status)).toBe(CAP_BPF | CAP_NET_ADMIN);
    expect(capEffOf('Name:\tnode\n')).toBeUndefined();
    expect(isInitialUidMap('         0          0 4294967295\n')).toBe(true);
    expect(isInitialUidMap('         0       1000          1\n')).toBe(false);
  });

  it("this process's credentials: the euid is process.geteuid()", () => {
    const c = currentCredentials();
    expect(c.euid).toBe(process.geteuid?.());
    expect(currentPrivilege()).toBe(privilegeOf(c));
  });
});

describe('errnoHint for EPERM and EACCES', () => {
  it('not privileged: run as root or grant the capabilities (unchanged)', () => {
    expect(errnoHint('BPF_PROG_LOAD', EPERM, 'unprivileged')).toBe('run as root or grant CAP_BPF and CAP_NET_ADMIN');
    expect(errnoHint('BPF_MAP_UPDATE_ELEM', EPERM, 'unprivileged')).toBe('run as root or grant CAP_BPF and CAP_NET_ADMIN');
    expect(errnoHint('BPF_OBJ_GET', EACCES, 'unprivileged')).toMatch(/^permission denied: run as root \(CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN\) or check bpffs permissions$/);
  });

  it('root: never "run as root"; says what a root-proof refusal means', () => {
    for (const cmd of ['BPF_PROG_LOAD', 'BPF_MAP_CREATE', 'BPF_MAP_UPDATE_ELEM', 'BPF_MAP_DELETE_ELEM', 'BPF_OBJ_GET', 'BPF_LINK_CREATE', 'socket', 'netlink']) {
      for (const errno of [EPERM, EACCES]) {
        const h = errnoHint(cmd, errno, 'root');
        expect(h, `${cmd} errno ${errno}`).not.toMatch(/run as root|grant CAP/);
        expect(h, `${cmd} errno ${errno}`).not.toBe('');
      }
    }
    expect(errnoHint('socket', EPERM, 'root')).toBe('refused even with root: the kernel does not allow this (a program type or feature not enabled, lockdown, a frozen map, or an LSM)');
    expect(errnoHint('BPF_PROG_LOAD', EPERM, 'root')).toMatch(/^refused even with root: this program type is not enabled on this kernel/);
    expect(errnoHint('BPF_MAP_UPDATE_ELEM', EPERM, 'root')).toMatch(/frozen/);
    expect(errnoHint('BPF_OBJ_GET', EACCES, 'root')).toBe("permission denied: not a bpffs file, or the file's permissions");
  });

  it('holding CAP_BPF and CAP_NET_ADMIN without root: says so, not "run as root"', () => {
    const h = errnoHint('BPF_PROG_LOAD', EPERM, 'capable');
    expect(h).toMatch(/^refused even with CAP_BPF and CAP_NET_ADMIN: /);
    expect(errnoHint('BPF_OBJ_GET', EACCES, 'capable')).not.toMatch(/run as root/);
  });

  it('root without the capabilities (container, user namespace): grant them, not "run as root"', () => {
    expect(errnoHint('BPF_PROG_LOAD', EPERM, 'limited')).toMatch(/lacks CAP_BPF and CAP_NET_ADMIN in the initial user namespace/);
    expect(errnoHint('BPF_OBJ_GET', EACCES, 'limited')).not.toMatch(/run as root/);
  });

  it('other errnos do not depend on privilege', () => {
    for (const p of ['unprivileged', 'root', 'capable', 'limited'] as const) {
      expect(errnoHint('BPF_OBJ_GET', ENOENT, p)).toBe('no such pinned object: check the path under /sys/fs/bpf');
    }
  });

  it('by default, the hint is chosen by this process’s privilege', () => {
    expect(errnoHint('BPF_PROG_LOAD', EPERM)).toBe(errnoHint('BPF_PROG_LOAD', EPERM, currentPrivilege()));
  });
});

describe('BpfError, SystemError and NetlinkError carry the hint for the privilege they were built under', () => {
  it('euid 0 (root): the message does not say "run as root"', () => {
    const e = withPrivilege('root', () => new BpfError('BPF_MAP_UPDATE_ELEM', EPERM, 'array map x.rodata'));
    expect(e.message).toMatch(/^BPF_MAP_UPDATE_ELEM \(array map x\.rodata\) failed: EPERM: the map is read-only from userspace: frozen/);
    expect(e.hint).not.toMatch(/run as root/);
    const g = withPrivilege('root', () => new BpfError('BPF_OBJ_GET', EACCES, '/tmp/somefile'));
    expect(g.message).toBe("BPF_OBJ_GET (/tmp/somefile) failed: EACCES: permission denied: not a bpffs file, or the file's permissions");
    const s = withPrivilege('root', () => new SystemError('socket', EPERM, 'AF_XDP'));
    expect(s.message).toMatch(/^socket \(AF_XDP\) failed: EPERM: refused even with root: /);
    const n = withPrivilege('root', () => new NetlinkError('RTM_SETLINK', EPERM));
    expect(n.message).not.toMatch(/run as root/);
  });

  it('euid ≠ 0 without capabilities: the message says "run as root or grant …"', () => {
    const e = withPrivilege('unprivileged', () => new BpfError('BPF_PROG_LOAD', EPERM, 'p_lsm'));
    expect(e.message).toBe('BPF_PROG_LOAD (p_lsm) failed: EPERM: run as root or grant CAP_BPF and CAP_NET_ADMIN');
    const s = withPrivilege('unprivileged', () => new SystemError('socket', EPERM));
    expect(s.hint).toBe('run as root or grant CAP_BPF and CAP_NET_ADMIN');
  });

  it('an explicit hint wins, and withPrivilege restores the default after', () => {
    expect(withPrivilege('root', () => new BpfError('BPF_OBJ_GET', EPERM, 'x', 'mine')).hint).toBe('mine');
    const other: Privilege = currentPrivilege() === 'unprivileged' ? 'root' : 'unprivileged';
    expect(() => withPrivilege(other, () => { throw new Error('boom'); })).toThrow('boom');
    expect(new BpfError('BPF_PROG_LOAD', EPERM).hint).toBe(errnoHint('BPF_PROG_LOAD', EPERM, currentPrivilege()));
    expect(new BpfError('BPF_PROG_LOAD', EPERM).hint).not.toBe(errnoHint('BPF_PROG_LOAD', EPERM, other));
  });
});
