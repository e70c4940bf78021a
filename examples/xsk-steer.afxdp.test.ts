// The xsk-steer example end to end: the DSL program attached to a veth, an AF_XDP socket
// (src/afxdp) registered in its XSKMAP, and a TypeScript receiver that gets exactly the UDP
// datagrams to the steered port, while other traffic goes to the kernel stack.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { needKernel } from '../test/support/env.js';
import { loadCompiled } from '../test/xdp/kernel-load.js';
import { receiveBusy, Umem, XskSocket } from '../src/afxdp/index.js';
import { attachXdp } from '../src/loader/index.js';
import { ifNameToIndex } from '../src/sys/index.js';
import { compileModule, withConstants } from '../src/xdp/index.js';
import * as example from './xsk-steer.js';

const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });

describe('examples/xsk-steer with an AF_XDP receiver', () => {
  it('delivers exactly the steered UDP port to the socket (kernel)', async (ctx) => {
    needKernel(ctx);
    const tag = `${process.pid % 100000}`;
    const ns = `bpftsxsk${tag}`;
    const host = `xsh${tag}`;
    const peer = `xsp${tag}`;
    ip('netns', 'add', ns);
    const k = loadCompiled(withConstants(compileModule(example), { xsk_port: 4242 }));
    try {
      expect(ip('link', 'add', host, 'type', 'veth', 'peer', 'name', peer, 'netns', ns).status).toBe(0);
      ip('addr', 'add', '198.18.0.1/30', 'dev', host);
      ip('link', 'set', host, 'up');
      ip('-n', ns, 'addr', 'add', '198.18.0.2/30', 'dev', peer);
      ip('-n', ns, 'link', 'set', peer, 'up');
      const attachment = attachXdp(k.programs.xsk_steer!.fd, ifNameToIndex(host), { mode: 'native' });
      using umem = Umem.create({ frameCount: 4096, fillSize: 2048 });
      using xsk = XskSocket.create({ umem, dev: host, queue: 0, rxSize: 2048, txSize: 0, bind: 'copy' });
      k.typed(example.xsks).set(0, xsk.fd);
      try {
        const N = 200;
        const script = `const s=require('dgram').createSocket('udp4');let n=0;const t=setInterval(()=>{s.send(Buffer.from('steered'),4242,'198.18.0.1');s.send(Buffer.from('stack'),7,'198.18.0.1');if(++n>=${N}){clearInterval(t);setTimeout(()=>s.close(),200);}},2);`;
        const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: 'ignore' });
        const exited = new Promise<void>((res) => child.on('exit', () => res()));
        let wrongPort = 0;
        const r = receiveBusy(xsk, {
          count: N,
          startMs: 15_000,
          idleMs: 2000,
          maxMs: 20_000,
          onBatch: (s, n) => {
            for (let i = 0; i < n; i++) {
              const f = s.frame(i);
              if (((f[36]! << 8) | f[37]!) !== 4242 || f[23] !== 17) wrongPort++;
            }
          },
        });
        await exited;
        const st = xsk.statistics();
        expect(wrongPort).toBe(0);
        expect(r.received + Number(st.rxDropped + st.rxRingFull)).toBe(N);
        expect(r.received).toBeGreaterThan(0);
      } finally {
        if (attachment.kind === 'link') attachment.link.close();
      }
    } finally {
      k.close();
      ip('netns', 'del', ns);
      ip('link', 'del', host);
    }
  });
});
