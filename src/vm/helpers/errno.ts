// Negative errno values helpers return.
export const EPERM = -1, ENOENT = -2, EAGAIN = -11, ENOMEM = -12, EACCES = -13, EFAULT = -14,
  EBUSY = -16, EINVAL = -22, E2BIG = -7, ENOSPC = -28, EOPNOTSUPP = -95;

/** XDP actions (enum xdp_action). */
export const XdpAction = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 } as const;
