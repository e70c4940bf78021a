// A veth pair for XDP tests: end `host` in our namespace (198.18.x.1), `peer` inside a new
// netns (198.18.x.2). Unique names per process; remove() undoes everything.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';

export interface VethPair {
  readonly ns: string;
  readonly host: string;
  readonly peer: string;
  readonly hostIp: string;
  readonly peerIp: string;
  remove(): void;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

export function createVeth(tag: string): VethPair {
  const id = `${tag}${process.pid % 100000}`;
  const ns = `bpfts-${id}`;
  const host = `bth${id}`.slice(0, 15);
  const peer = `btp${id}`.slice(0, 15);
  const subnet = 4 + (process.pid % 200);
  const hostIp = `198.18.${subnet}.1`;
  const peerIp = `198.18.${subnet}.2`;
  const remove = (): void => {
    spawnSync('ip', ['link', 'del', host], { timeout: 10_000 });
    spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  };
  remove();
  try {
    ip(['netns', 'add', ns]);
    ip(['link', 'add', host, 'type', 'veth', 'peer', 'name', peer]);
    ip(['link', 'set', peer, 'netns', ns]);
    ip(['addr', 'add', `${hostIp}/24`, 'dev', host]);
    ip(['link', 'set', host, 'up']);
    ip(['-n', ns, 'addr', 'add', `${peerIp}/24`, 'dev', peer]);
    ip(['-n', ns, 'link', 'set', peer, 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  } catch (e) {
    remove();
    throw e;
  }
  return { ns, host, peer, hostIp, peerIp, remove };
}

/**
 * Send `count` UDP datagrams from inside the namespace to the host end (a bounded node
 * one-liner under `ip netns exec`) and count how many arrive at a socket bound here.
 */
export async function udpFromPeer(v: VethPair, count = 5, port = 40000 + (process.pid % 20000)): Promise<number> {
  const sock = createSocket('udp4');
  let received = 0;
  sock.on('message', () => {
    received++;
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, v.hostIp, () => resolve());
  });
  try {
    const sender = `const s=require('dgram').createSocket('udp4');let i=0;const t=setInterval(()=>{s.send('bpf-ts',${port},'${v.hostIp}');if(++i>=${count}){clearInterval(t);setTimeout(()=>process.exit(0),200);}},50);`;
    await new Promise<void>((resolve) => {
      const child = spawn('ip', ['netns', 'exec', v.ns, process.execPath, '-e', sender], { stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    return received;
  } finally {
    sock.close();
  }
}
