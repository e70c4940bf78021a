// Encode and decode schema values to and from the bytes the kernel stores (host order is
// little-endian on every machine bpf-ts targets; be* fields are big-endian).
import { SchemaError } from '../errors.js';
import type { Schema, ScalarSchema, ValueOf } from './types.js';

export function encode<S extends Schema>(schema: S, value: ValueOf<S>): Uint8Array {
  const out = new Uint8Array(schema.size);
  encodeInto(schema, value as unknown, new DataView(out.buffer), 0, 'value');
  return out;
}

export function decode<S extends Schema>(schema: S, bytes: Uint8Array, offset = 0): ValueOf<S> {
  if (bytes.length - offset < schema.size) throw new SchemaError(`need ${schema.size} bytes, got ${bytes.length - offset}`);
  return decodeFrom(schema, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset) as ValueOf<S>;
}

function encodeInto(schema: Schema, value: unknown, view: DataView, at: number, path: string): void {
  switch (schema.kind) {
    case 'scalar':
      writeScalar(schema, value, view, at, path);
      return;
    case 'array': {
      const el = schema.element;
      if (value instanceof Uint8Array && el.kind === 'scalar' && el.size === 1) {
        if (value.length !== schema.length) throw new SchemaError(`${path}: expected ${schema.length} bytes, got ${value.length}`);
        new Uint8Array(view.buffer, view.byteOffset + at, schema.length).set(value);
        return;
      }
      if (!Array.isArray(value) || value.length !== schema.length) {
        throw new SchemaError(`${path}: expected an array of ${schema.length} elements`);
      }
      value.forEach((v, i) => encodeInto(el, v, view, at + i * el.size, `${path}[${i}]`));
      return;
    }
    case 'struct': {
      if (typeof value !== 'object' || value === null) throw new SchemaError(`${path}: expected an object with fields ${schema.layout.map((f) => f.name).join(', ')}`);
      const rec = value as Record<string, unknown>;
      for (const f of schema.layout) {
        if (!(f.name in rec)) throw new SchemaError(`${path}.${f.name}: missing`);
        encodeInto(f.schema, rec[f.name], view, at + f.offset, `${path}.${f.name}`);
      }
      return;
    }
  }
}

function writeScalar(s: ScalarSchema, value: unknown, view: DataView, at: number, path: string): void {
  const le = !s.bigEndian;
  if (typeof value !== 'number' && typeof value !== 'bigint') throw new SchemaError(`${path}: expected a number, got ${typeof value}`);
  const bits = BigInt(s.size * 8);
  let v: bigint;
  try {
    v = BigInt(value);
  } catch {
    throw new SchemaError(`${path}: ${String(value)} is not an integer`);
  }
  const min = s.signed ? -(1n << (bits - 1n)) : 0n;
  const max = s.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (v < min || v > max) throw new SchemaError(`${path}: ${v} does not fit ${s.type}`);
  const u = BigInt.asUintN(Number(bits), v);
  switch (s.size) {
    case 1: view.setUint8(at, Number(u)); break;
    case 2: view.setUint16(at, Number(u), le); break;
    case 4: view.setUint32(at, Number(u), le); break;
    case 8: view.setBigUint64(at, u, le); break;
  }
}

function decodeFrom(schema: Schema, view: DataView, at: number): unknown {
  switch (schema.kind) {
    case 'scalar': {
      const le = !schema.bigEndian;
      switch (schema.size) {
        case 1: return schema.signed ? view.getInt8(at) : view.getUint8(at);
        case 2: return schema.signed ? view.getInt16(at, le) : view.getUint16(at, le);
        case 4: return schema.signed ? view.getInt32(at, le) : view.getUint32(at, le);
        case 8: return schema.signed ? view.getBigInt64(at, le) : view.getBigUint64(at, le);
      }
      throw new SchemaError('bad scalar size');
    }
    case 'array': {
      const el = schema.element;
      if (el.kind === 'scalar' && el.size === 1 && !el.signed) return new Uint8Array(view.buffer.slice(view.byteOffset + at, view.byteOffset + at + schema.length));
      return Array.from({ length: schema.length }, (_, i) => decodeFrom(el, view, at + i * el.size));
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of schema.layout) out[f.name] = decodeFrom(f.schema, view, at + f.offset);
      return out;
    }
  }
}

/** Add two decoded values field by field (per-CPU sums). Non-numeric leaves keep the first. */
export function sumValues<S extends Schema>(schema: S, a: ValueOf<S>, b: ValueOf<S>): ValueOf<S> {
  return sumAny(schema, a, b) as ValueOf<S>;
}

function sumAny(schema: Schema, a: unknown, b: unknown): unknown {
  switch (schema.kind) {
    case 'scalar':
      if (typeof a === 'bigint' && typeof b === 'bigint') return BigInt.asUintN(64, a + b);
      return (a as number) + (b as number);
    case 'array':
      if (a instanceof Uint8Array) return a;
      return (a as unknown[]).map((x, i) => sumAny(schema.element, x, (b as unknown[])[i]));
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of schema.layout) out[f.name] = sumAny(f.schema, (a as Record<string, unknown>)[f.name], (b as Record<string, unknown>)[f.name]);
      return out;
    }
  }
}
