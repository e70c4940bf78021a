// LLVM-syntax assembly text: the assembler, the one-instruction printer and the disassembler.
export { assemble, type AssembleOptions, type AssembleResult } from './assembler.js';
export { formatInstruction, type FormatOptions, UNKNOWN_TEXT } from './format.js';
export {
  disassembleElf, disassembleElfBytes, disassembleInstructions, listSection, codeSections, RELOC_NAMES,
  type DisassembleOptions, type ListedInstruction, type ListedSection, type ListedSymbol,
} from './disassemble.js';
export { disassembleToSource } from './to-source.js';
