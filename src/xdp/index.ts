// The packet-filter DSL: XDP programs written in TypeScript.
//
//   import { xdp, map, constant, u16, u32, u64, struct } from 'bpf-ts/xdp';
//   export const port = constant('blocked_port', u16, 53);
//   export const drops = map('drops', { type: 'percpu_array', key: u32, value: u64, maxEntries: 1 });
//   export const drop_udp = xdp('drop_udp', (p) => {
//     const ip = p.ipv4();                      // not IPv4 → XDP_PASS
//     const udp = p.udp(ip);                    // not UDP  → XDP_PASS
//     p.if(udp.dport.eq(port), () => {
//       p.count(drops, 0, 1);
//       p.drop();
//     });
//   });                                          // falls through → XDP_PASS
export * from './schema/types.js';
export { encode, decode, sumValues } from './schema/codec.js';
export { schemaToBtf, type AddBtfType } from './schema/btf.js';
export * from './declarations.js';
export { xdp, compileProgram, isProgramDef, type XdpOptions, type XdpProgramDef, type CompiledProgram } from './program.js';
export { compileModule, collectDefinitions, withConstants, type CompiledModule, type CompileModuleOptions, type RodataVar } from './module.js';
export { XdpBuilder, Var, MAX_LOOP, MAX_UNROLL, type LoopControl, type GuardOptions, type UpdateFlag } from './builder.js';
export type { EthHeader, VlanHeader, ArpHeader, Ipv4Header, Ipv6Header, UdpHeader, TcpHeader, IcmpHeader, Icmp6Header, IpHeader } from './builder.js';
export { Val, Cond, all, any, not, lit, type Operand, type Comparison } from './compiler/value.js';
export { MapValue } from './compiler/map-value.js';
export type { Input } from './compiler/buffers.js';
export { Header, type BytesRef, type SetOptions } from './packet/header.js';
export { EtherType, IpProto, XdpAction, ACTION_BY_NAME, type ActionName } from './packet/layouts.js';
export { DslError, SchemaError } from './errors.js';
export { TypedMap, typedMap, type RawMap } from './userspace/typed-map.js';
export { decodeEvent, decodeEvents, readEvents, type RecordSource } from './userspace/ringbuf-reader.js';
export * from './craft.js';
export { subprogram, type SubprogramDef, type Arity } from './subprogram.js';
export { toObjectModel } from './object.js';
