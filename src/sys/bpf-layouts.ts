// bpf_attr per command and the kernel's info structs, taken from <linux/bpf.h> (linux 6.1
// uapi). test/sys/layout.test.ts compiles a C program that checks every entry with offsetof.
import { layout } from './layout.js';

export const MapCreateAttr = layout('union bpf_attr', 144, {
  map_type: [0, 4, 'map_type'],
  key_size: [4, 4, 'key_size'],
  value_size: [8, 4, 'value_size'],
  max_entries: [12, 4, 'max_entries'],
  map_flags: [16, 4, 'map_flags'],
  inner_map_fd: [20, 4, 'inner_map_fd'],
  numa_node: [24, 4, 'numa_node'],
  map_name: [28, 16, 'map_name'],
  map_ifindex: [44, 4, 'map_ifindex'],
  btf_fd: [48, 4, 'btf_fd'],
  btf_key_type_id: [52, 4, 'btf_key_type_id'],
  btf_value_type_id: [56, 4, 'btf_value_type_id'],
  btf_vmlinux_value_type_id: [60, 4, 'btf_vmlinux_value_type_id'],
  map_extra: [64, 8, 'map_extra'],
});

export const MapElemAttr = layout('union bpf_attr', 144, {
  map_fd: [0, 4, 'map_fd'],
  key: [8, 8, 'key'],
  value: [16, 8, 'value'],
  next_key: [16, 8, 'next_key'],
  flags: [24, 8, 'flags'],
});

export const MapBatchAttr = layout('union bpf_attr', 144, {
  in_batch: [0, 8, 'batch.in_batch'],
  out_batch: [8, 8, 'batch.out_batch'],
  keys: [16, 8, 'batch.keys'],
  values: [24, 8, 'batch.values'],
  count: [32, 4, 'batch.count'],
  map_fd: [36, 4, 'batch.map_fd'],
  elem_flags: [40, 8, 'batch.elem_flags'],
  flags: [48, 8, 'batch.flags'],
});

export const ProgLoadAttr = layout('union bpf_attr', 144, {
  prog_type: [0, 4, 'prog_type'],
  insn_cnt: [4, 4, 'insn_cnt'],
  insns: [8, 8, 'insns'],
  license: [16, 8, 'license'],
  log_level: [24, 4, 'log_level'],
  log_size: [28, 4, 'log_size'],
  log_buf: [32, 8, 'log_buf'],
  kern_version: [40, 4, 'kern_version'],
  prog_flags: [44, 4, 'prog_flags'],
  prog_name: [48, 16, 'prog_name'],
  prog_ifindex: [64, 4, 'prog_ifindex'],
  expected_attach_type: [68, 4, 'expected_attach_type'],
  prog_btf_fd: [72, 4, 'prog_btf_fd'],
  func_info_rec_size: [76, 4, 'func_info_rec_size'],
  func_info: [80, 8, 'func_info'],
  func_info_cnt: [88, 4, 'func_info_cnt'],
  line_info_rec_size: [92, 4, 'line_info_rec_size'],
  line_info: [96, 8, 'line_info'],
  line_info_cnt: [104, 4, 'line_info_cnt'],
  attach_btf_id: [108, 4, 'attach_btf_id'],
  attach_prog_fd: [112, 4, 'attach_prog_fd'],
  core_relo_cnt: [116, 4, 'core_relo_cnt'],
  fd_array: [120, 8, 'fd_array'],
  core_relos: [128, 8, 'core_relos'],
  core_relo_rec_size: [136, 4, 'core_relo_rec_size'],
});

export const ObjAttr = layout('union bpf_attr', 144, {
  pathname: [0, 8, 'pathname'],
  bpf_fd: [8, 4, 'bpf_fd'],
  file_flags: [12, 4, 'file_flags'],
});

export const ProgAttachAttr = layout('union bpf_attr', 144, {
  target_fd: [0, 4, 'target_fd'],
  attach_bpf_fd: [4, 4, 'attach_bpf_fd'],
  attach_type: [8, 4, 'attach_type'],
  attach_flags: [12, 4, 'attach_flags'],
  replace_bpf_fd: [16, 4, 'replace_bpf_fd'],
});

export const TestRunAttr = layout('union bpf_attr', 144, {
  prog_fd: [0, 4, 'test.prog_fd'],
  retval: [4, 4, 'test.retval'],
  data_size_in: [8, 4, 'test.data_size_in'],
  data_size_out: [12, 4, 'test.data_size_out'],
  data_in: [16, 8, 'test.data_in'],
  data_out: [24, 8, 'test.data_out'],
  repeat: [32, 4, 'test.repeat'],
  duration: [36, 4, 'test.duration'],
  ctx_size_in: [40, 4, 'test.ctx_size_in'],
  ctx_size_out: [44, 4, 'test.ctx_size_out'],
  ctx_in: [48, 8, 'test.ctx_in'],
  ctx_out: [56, 8, 'test.ctx_out'],
  flags: [64, 4, 'test.flags'],
  cpu: [68, 4, 'test.cpu'],
  batch_size: [72, 4, 'test.batch_size'],
});

export const GetIdAttr = layout('union bpf_attr', 144, {
  start_id: [0, 4, 'start_id'],
  next_id: [4, 4, 'next_id'],
  open_flags: [8, 4, 'open_flags'],
});

export const InfoAttr = layout('union bpf_attr', 144, {
  bpf_fd: [0, 4, 'info.bpf_fd'],
  info_len: [4, 4, 'info.info_len'],
  info: [8, 8, 'info.info'],
});

export const QueryAttr = layout('union bpf_attr', 144, {
  target_fd: [0, 4, 'query.target_fd'],
  attach_type: [4, 4, 'query.attach_type'],
  query_flags: [8, 4, 'query.query_flags'],
  attach_flags: [12, 4, 'query.attach_flags'],
  prog_ids: [16, 8, 'query.prog_ids'],
  prog_cnt: [24, 4, 'query.prog_cnt'],
});

export const BtfLoadAttr = layout('union bpf_attr', 144, {
  btf: [0, 8, 'btf'],
  btf_log_buf: [8, 8, 'btf_log_buf'],
  btf_size: [16, 4, 'btf_size'],
  btf_log_size: [20, 4, 'btf_log_size'],
  btf_log_level: [24, 4, 'btf_log_level'],
});

export const LinkCreateAttr = layout('union bpf_attr', 144, {
  prog_fd: [0, 4, 'link_create.prog_fd'],
  target_fd: [4, 4, 'link_create.target_fd'],
  target_ifindex: [4, 4, 'link_create.target_ifindex'],
  attach_type: [8, 4, 'link_create.attach_type'],
  flags: [12, 4, 'link_create.flags'],
  target_btf_id: [16, 4, 'link_create.target_btf_id'],
});

export const LinkUpdateAttr = layout('union bpf_attr', 144, {
  link_fd: [0, 4, 'link_update.link_fd'],
  new_prog_fd: [4, 4, 'link_update.new_prog_fd'],
  flags: [8, 4, 'link_update.flags'],
  old_prog_fd: [12, 4, 'link_update.old_prog_fd'],
});

export const LinkDetachAttr = layout('union bpf_attr', 144, {
  link_fd: [0, 4, 'link_detach.link_fd'],
});

export const ProgInfo = layout('struct bpf_prog_info', 232, {
  type: [0, 4, 'type'],
  id: [4, 4, 'id'],
  tag: [8, 8, 'tag'],
  jited_prog_len: [16, 4, 'jited_prog_len'],
  xlated_prog_len: [20, 4, 'xlated_prog_len'],
  jited_prog_insns: [24, 8, 'jited_prog_insns'],
  xlated_prog_insns: [32, 8, 'xlated_prog_insns'],
  load_time: [40, 8, 'load_time'],
  created_by_uid: [48, 4, 'created_by_uid'],
  nr_map_ids: [52, 4, 'nr_map_ids'],
  map_ids: [56, 8, 'map_ids'],
  name: [64, 16, 'name'],
  ifindex: [80, 4, 'ifindex'],
  netns_dev: [88, 8, 'netns_dev'],
  netns_ino: [96, 8, 'netns_ino'],
  nr_jited_ksyms: [104, 4, 'nr_jited_ksyms'],
  nr_jited_func_lens: [108, 4, 'nr_jited_func_lens'],
  jited_ksyms: [112, 8, 'jited_ksyms'],
  jited_func_lens: [120, 8, 'jited_func_lens'],
  btf_id: [128, 4, 'btf_id'],
  func_info_rec_size: [132, 4, 'func_info_rec_size'],
  func_info: [136, 8, 'func_info'],
  nr_func_info: [144, 4, 'nr_func_info'],
  nr_line_info: [148, 4, 'nr_line_info'],
  line_info: [152, 8, 'line_info'],
  jited_line_info: [160, 8, 'jited_line_info'],
  nr_jited_line_info: [168, 4, 'nr_jited_line_info'],
  line_info_rec_size: [172, 4, 'line_info_rec_size'],
  jited_line_info_rec_size: [176, 4, 'jited_line_info_rec_size'],
  nr_prog_tags: [180, 4, 'nr_prog_tags'],
  prog_tags: [184, 8, 'prog_tags'],
  run_time_ns: [192, 8, 'run_time_ns'],
  run_cnt: [200, 8, 'run_cnt'],
  recursion_misses: [208, 8, 'recursion_misses'],
  verified_insns: [216, 4, 'verified_insns'],
  attach_btf_obj_id: [220, 4, 'attach_btf_obj_id'],
  attach_btf_id: [224, 4, 'attach_btf_id'],
});

export const MapInfo = layout('struct bpf_map_info', 88, {
  type: [0, 4, 'type'],
  id: [4, 4, 'id'],
  key_size: [8, 4, 'key_size'],
  value_size: [12, 4, 'value_size'],
  max_entries: [16, 4, 'max_entries'],
  map_flags: [20, 4, 'map_flags'],
  name: [24, 16, 'name'],
  ifindex: [40, 4, 'ifindex'],
  btf_vmlinux_value_type_id: [44, 4, 'btf_vmlinux_value_type_id'],
  netns_dev: [48, 8, 'netns_dev'],
  netns_ino: [56, 8, 'netns_ino'],
  btf_id: [64, 4, 'btf_id'],
  btf_key_type_id: [68, 4, 'btf_key_type_id'],
  btf_value_type_id: [72, 4, 'btf_value_type_id'],
  map_extra: [80, 8, 'map_extra'],
});

export const BtfInfo = layout('struct bpf_btf_info', 32, {
  btf: [0, 8, 'btf'],
  btf_size: [8, 4, 'btf_size'],
  id: [12, 4, 'id'],
  name: [16, 8, 'name'],
  name_len: [24, 4, 'name_len'],
  kernel_btf: [28, 4, 'kernel_btf'],
});

export const LinkInfo = layout('struct bpf_link_info', 48, {
  type: [0, 4, 'type'],
  id: [4, 4, 'id'],
  prog_id: [8, 4, 'prog_id'],
  xdp_ifindex: [16, 4, 'xdp.ifindex'],
  netns_ino: [16, 4, 'netns.netns_ino'],
  netns_attach_type: [20, 4, 'netns.attach_type'],
});

export const FuncInfo = layout('struct bpf_func_info', 8, {
  insn_off: [0, 4, 'insn_off'],
  type_id: [4, 4, 'type_id'],
});

export const LineInfo = layout('struct bpf_line_info', 16, {
  insn_off: [0, 4, 'insn_off'],
  file_name_off: [4, 4, 'file_name_off'],
  line_off: [8, 4, 'line_off'],
  line_col: [12, 4, 'line_col'],
});

