// bpf-ts build: the objects it writes load with the reference tools (bpftool, ip), with our
// own loader, and carry line info that points at the TypeScript.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needKernel, needOracle } from '../support/env.js';
import { REPO_ROOT, runBpfTs } from '../support/cli.js';
import { parseObject } from '../../src/elf/parse-object.js';
import { loadObject } from '../../src/loader/index.js';
import { craftPacket, XdpAction } from '../../src/xdp/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfts-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EXAMPLES = readdirSync(join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

function build(file: string, extra: string[] = []): string {
  const out = join(dir, `${file.replace(/[/.]/g, '_')}.o`);
  const r = runBpfTs(['build', file, '-o', out, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

describe('bpf-ts build', () => {
  it.for(EXAMPLES)('examples/%s: loads with bpftool prog loadall', (name, ctx) => {
    needKernel(ctx);
    const bpftool = needOracle(ctx, 'bpftool');
    const obj = build(`examples/${name}`);
    const pin = `/sys/fs/bpf/bpfts_build_${process.pid}_${name.replace(/\W/g, '_')}`;
    try {
      const r = spawnSync(bpftool, ['prog', 'loadall', obj, pin], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(readdirSync(pin).length).toBeGreaterThan(0);
    } finally {
      rmSync(pin, { recursive: true, force: true });
    }
    expect(spawnSync(bpftool, ['btf', 'dump', 'file', obj], { encoding: 'utf8' }).status).toBe(0);
  });

  it('line info points at the TypeScript lines (bpftool prog dump xlated linum)', (ctx) => {
    needKernel(ctx);
    const bpftool = needOracle(ctx, 'bpftool');
    const obj = build('examples/drop-udp-port.ts');
    const pin = `/sys/fs/bpf/bpfts_linum_${process.pid}`;
    try {
      expect(spawnSync(bpftool, ['prog', 'loadall', obj, pin]).status).toBe(0);
      const x = spawnSync(bpftool, ['prog', 'dump', 'xlated', 'pinned', `${pin}/drop_udp`, 'linum'], { encoding: 'utf8' });
      const src = readFileSync(join(REPO_ROOT, 'examples/drop-udp-port.ts'), 'utf8').split('\n');
      const ifLine = src.findIndex((l) => l.includes('p.if(udp.dport')) + 1;
      expect(x.stdout).toContain(`examples/drop-udp-port.ts line_num:${ifLine}`);
      expect(x.stdout).not.toMatch(/src\/(asm|xdp)\//);
    } finally {
      rmSync(pin, { recursive: true, force: true });
    }
  });

  it('attaches with ip link set dev X xdpgeneric obj F sec xdp', (ctx) => {
    needKernel(ctx);
    const obj = build('examples/drop-udp-port.ts');
    const dev = `bb${process.pid % 100000}`;
    spawnSync('ip', ['link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`]);
    try {
      const r = spawnSync('ip', ['link', 'set', 'dev', dev, 'xdpgeneric', 'obj', obj, 'sec', 'xdp'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(spawnSync('ip', ['-d', 'link', 'show', 'dev', dev], { encoding: 'utf8' }).stdout).toMatch(/prog\/xdp id \d+ name drop_udp/);
    } finally {
      spawnSync('ip', ['link', 'del', dev]);
    }
  });

  it('round-trips subprograms and shared maps through the object model and the loader', (ctx) => {
    const obj = build('test/xdp/fixtures/with-subprogram.ts');
    const bytes = new Uint8Array(readFileSync(obj));
    const model = parseObject(bytes);
    expect(model.programs.map((p) => [p.name, p.section])).toEqual([['first', 'xdp'], ['second', 'xdp']]);
    expect(model.maps.map((m) => m.name)).toContain('hits');
    needKernel(ctx);
    const o = loadObject(bytes, { name: 'rt' });
    try {
      const pkt = craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp', ttl: 7 });
      expect(o.programs.get('first')!.testRun({ data: pkt }).retval).toBe(XdpAction.PASS);
      expect(o.programs.get('second')!.testRun({ data: pkt }).retval).toBe(XdpAction.DROP);
      const hits = o.maps.get('hits')!;
      const key = (k: number) => Uint8Array.from([k, 0, 0, 0]);
      expect(new DataView(hits.lookup(key(1))!.buffer).getBigUint64(0, true)).toBe(1n); // ttl 7 & 1
      expect(new DataView(hits.lookup(key(0))!.buffer).getBigUint64(0, true)).toBe(1n); // (7 + 1) & 1
    } finally {
      o.close();
    }
  });

  it('reports an unverifiable program as a DslError on the TypeScript line (exit 2)', () => {
    const r = runBpfTs(['build', 'test/xdp/fixtures/bad-loop.ts', '-o', join(dir, 'bad.o')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/test\/xdp\/fixtures\/bad-loop\.ts:6:\d+: unbounded loop/);
  });

  it('run lints before it loads: a rejected program stops there (exit 1) unless --no-lint', () => {
    // The interface does not exist: only a run that skipped the lint gets as far as looking it up.
    const dev = 'bpftsnosuchif';
    const r = runBpfTs(['run', 'test/xdp/fixtures/lint-rejects.ts', '--dev', dev, '--seconds', '1']);
    expect(r.stderr).toMatch(/the lint rejects too_big \(use --no-lint/);
    expect(r.code).toBe(1);
    const skipped = runBpfTs(['run', 'test/xdp/fixtures/lint-rejects.ts', '--dev', dev, '--seconds', '1', '--no-lint']);
    expect(skipped.stderr).not.toMatch(/lint rejects/);
    expect(skipped.stderr).toContain(dev);
    expect(skipped.code).toBe(2);
  });

  it('reads modules Node treats as CommonJS too, with the DSL error on the user\'s line', () => {
    // No "type": "module" above the file (a fresh `npm init` project): tsx runs it as CommonJS.
    const cjs = join(dir, 'cjs-project');
    mkdirSync(cjs, { recursive: true });
    writeFileSync(join(cjs, 'package.json'), '{"name":"p","type":"commonjs"}\n');
    const xdpIndex = JSON.stringify(join(REPO_ROOT, 'src/xdp/index.js'));
    writeFileSync(join(cjs, 'loop.ts'), `import { xdp } from ${xdpIndex};\n\nexport const bad = xdp('bad', (p) => {\n  p.loop(1000000, () => {\n    p.drop();\n  });\n});\n`);
    const r = runBpfTs(['build', join(cjs, 'loop.ts'), '-o', join(dir, 'loop.o')]);
    expect(r.stderr).toBe(`bpf-ts: ${join(cjs, 'loop.ts')}:4:5: loop bound 1000000 is above 65536: the verifier explores every iteration; use a smaller bound\n`);
    expect(r.code).toBe(2);
  });

  it('reports a module that cannot be imported as bad input, on one line (exit 2)', () => {
    const bad = join(dir, 'bad-modules');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'throws.ts'), "throw new Error('boom at import');\n");
    writeFileSync(join(bad, 'syntax.ts'), 'export const x = ;\n');
    writeFileSync(join(bad, 'missing.ts'), "import { y } from './nowhere.js';\nexport const x = y;\n");
    writeFileSync(join(bad, 'prog.o'), 'not a module');
    const cases: [string, RegExp][] = [
      [join(bad, 'throws.ts'), /^bpf-ts: .*throws\.ts: boom at import\n$/],
      [join(bad, 'syntax.ts'), /^bpf-ts: .*syntax\.ts:1:17: Unexpected ";"\n$/],
      [join(bad, 'missing.ts'), /^bpf-ts: .*missing\.ts: Cannot find module .*nowhere\.js/],
      [join(bad, 'prog.o'), /^bpf-ts: .*prog\.o: not a TypeScript or JavaScript module/],
      [bad, /^bpf-ts: .*bad-modules: is a directory/],
    ];
    for (const [file, message] of cases) {
      const r = runBpfTs(['build', file, '-o', join(dir, 'x.o')]);
      expect(r.stderr, file).toMatch(message);
      expect(r.stderr.trim().split('\n'), file).toHaveLength(1);
      expect(r.code, file).toBe(2);
    }
  });

  it('sets constants and prints a JSON summary', () => {
    const out = join(dir, 'c.o');
    const r = runBpfTs(['build', 'examples/drop-udp-port.ts', '-o', out, '--const', 'blocked_port=5353', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { programs: { name: string }[]; constants: { name: string }[] };
    expect(s.programs[0]!.name).toBe('drop_udp');
    const model = parseObject(new Uint8Array(readFileSync(out)));
    const ro = model.maps.find((m) => m.section === '.rodata')!;
    expect(Array.from(ro.data!.subarray(0, 2))).toEqual([5353 & 0xff, 5353 >> 8]);
  });
});
