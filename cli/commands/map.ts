// bpf-ts map list | dump | lookup | update | delete: maps in the kernel; keys and values in hex
// ("0a 00 00 00", "0a000000" or "0x0a 0x00 0x00 0x00").
import { existsSync } from 'node:fs';
import type { Command } from '../args.js';
import { UsageError } from '../errors.js';
import { printJson, printLine } from '../output.js';
import { listMaps, type MapInfo } from '../../src/loader/info.js';
import { BpfMap, type UpdateMode } from '../../src/loader/map.js';

interface Which {
  id?: string;
  pinned?: string;
  json?: boolean;
}

/** Parse hex bytes; UsageError on anything else. */
export function parseHex(text: string, what: string): Uint8Array {
  const parts = text.trim().split(/[\s,]+/).filter(Boolean).map((p) => p.replace(/^0x/i, ''));
  const joined = parts.every((p) => p.length <= 2) ? parts.map((p) => p.padStart(2, '0')).join('') : parts.join('');
  if (!/^([0-9a-fA-F]{2})*$/.test(joined)) throw new UsageError(`${what} is not hex bytes: "${text}"`);
  return Uint8Array.from(Buffer.from(joined, 'hex'));
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

function open(o: Which): BpfMap {
  if (o.pinned !== undefined) {
    if (!existsSync(o.pinned)) throw new UsageError(`nothing is pinned at ${o.pinned}`);
    return BpfMap.fromPinned(o.pinned);
  }
  if (o.id !== undefined) {
    const id = Number(o.id);
    if (!Number.isInteger(id) || id <= 0) throw new UsageError(`--id must be a positive integer, not "${o.id}"`);
    return BpfMap.fromId(id);
  }
  throw new UsageError('give --id N or --pinned PATH');
}

function withMap<T>(o: Which, fn: (m: BpfMap) => T): T {
  const m = open(o);
  try {
    return fn(m);
  } finally {
    m.close();
  }
}

const line = (m: MapInfo): string => `${m.id}: ${m.typeName} name ${m.name || '-'} key ${m.keySize}B value ${m.valueSize}B max_entries ${m.maxEntries} flags 0x${m.flags.toString(16)}`;

const which = (c: Command): Command => c.option('--id <id>', 'map id').option('--pinned <path>', 'pinned map').option('--json', 'print JSON');

export function registerMap(program: Command): void {
  const map = program.command('map').description('inspect and change BPF maps');
  map
    .command('list')
    .description('every map')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const all = listMaps();
      if (o.json) printJson({ maps: all });
      else for (const m of all) printLine(line(m));
    });
  which(map.command('dump').description('every key and value')).action((o: Which) =>
    withMap(o, (m) => {
      const entries = [...m.entries()].map(([k, v]) => ({ key: hex(k), value: hex(v) }));
      if (o.json) printJson({ id: m.info().id, entries });
      else for (const e of entries) printLine(`key: ${e.key}  value: ${e.value}`);
    }),
  );
  which(map.command('lookup').description('the value of one key'))
    .option('--key <hex>', 'key bytes in hex')
    .action((o: Which & { key?: string }) =>
      withMap(o, (m) => {
        const key = m.keySize === 0 ? undefined : parseHex(o.key ?? '', '--key');
        const v = m.lookup(key);
        if (v === undefined) throw Object.assign(new UsageError(`no such key in map ${m.name || m.info().id}`), { exitCode: 1 });
        if (o.json) printJson({ key: key ? hex(key) : null, value: hex(v) });
        else printLine(hex(v));
      }),
    );
  which(map.command('update').description('set the value of one key'))
    .option('--key <hex>', 'key bytes in hex')
    .requiredOption('--value <hex>', 'value bytes in hex')
    .option('--flags <mode>', 'any, noexist or exist', 'any')
    .action((o: Which & { key?: string; value: string; flags: string }) =>
      withMap(o, (m) => {
        if (!['any', 'noexist', 'exist'].includes(o.flags)) throw new UsageError(`--flags must be any, noexist or exist, not "${o.flags}"`);
        const key = m.keySize === 0 ? undefined : parseHex(o.key ?? '', '--key');
        m.update(key, parseHex(o.value, '--value'), o.flags as UpdateMode);
        if (o.json) printJson({ updated: true });
      }),
    );
  which(map.command('delete').description('delete one key'))
    .requiredOption('--key <hex>', 'key bytes in hex')
    .action((o: Which & { key: string }) =>
      withMap(o, (m) => {
        const deleted = m.delete(parseHex(o.key, '--key'));
        if (!deleted) throw Object.assign(new UsageError(`no such key in map ${m.name || m.info().id}`), { exitCode: 1 });
        if (o.json) printJson({ deleted });
      }),
    );
}
