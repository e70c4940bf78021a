// Test support: the committed clang fixtures and their .BTF / .BTF.ext sections.
import { readFileSync, readdirSync } from 'node:fs';
import type { ElfFile } from '../../src/elf/elf-file.js';
import { readElf } from '../../src/elf/read-elf.js';

export const FIXTURE_DIR = new URL('../fixtures/', import.meta.url).pathname;
export const OBJ_DIR = `${FIXTURE_DIR}obj/`;
export const C_DIR = `${FIXTURE_DIR}c/`;

export const fixtureObjects: string[] = readdirSync(OBJ_DIR).filter((f) => f.endsWith('.o')).sort();

export function loadFixture(name: string): { path: string; bytes: Uint8Array; elf: ElfFile } {
  const path = `${OBJ_DIR}${name}`;
  const bytes = new Uint8Array(readFileSync(path));
  return { path, bytes, elf: readElf(bytes) };
}

export function sectionData(elf: ElfFile, name: string): Uint8Array | undefined {
  return elf.sections.find((s) => s.name === name)?.data;
}
