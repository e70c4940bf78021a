// Source lines for LLVM-syntax assembly input: which line of the .s file wrote each
// instruction slot of each section. The assembler keeps no line table, so this re-reads
// the text with the same statement rules (labels, directives, comments, `ll` = two slots).

/** section name → line number (1-based) of each 8-byte slot */
export type AsmLineTable = ReadonlyMap<string, readonly number[]>;

function stripComment(line: string): string {
  let inStr = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') inStr = !inStr;
    if (inStr) continue;
    if (c === '#' || c === ';' || (c === '/' && line[i + 1] === '/')) return line.slice(0, i);
  }
  return line;
}

export function asmLineTable(source: string): AsmLineTable {
  const table = new Map<string, number[]>();
  let section = '.text';
  const stack: string[] = [];
  const lines = source.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let text = stripComment(lines[n]!).trim();
    // labels, possibly several, before a statement
    for (let m = /^([A-Za-z_.$][\w.$]*|\d+):\s*/.exec(text); m !== null; m = /^([A-Za-z_.$][\w.$]*|\d+):\s*/.exec(text)) {
      text = text.slice(m[0].length);
    }
    if (text === '') continue;
    if (text.startsWith('.')) {
      const [dir, ...rest] = text.split(/\s+/);
      const arg = rest.join(' ').split(',')[0]?.trim().replace(/^"|"$/g, '') ?? '';
      if (dir === '.text' || dir === '.data' || dir === '.bss' || dir === '.rodata') section = dir;
      else if (dir === '.section' && arg !== '') section = arg;
      else if (dir === '.pushsection' && arg !== '') { stack.push(section); section = arg; }
      else if (dir === '.popsection') section = stack.pop() ?? section;
      else if (dir === '.previous') section = stack.pop() ?? section;
      continue;
    }
    const slots = table.get(section) ?? [];
    table.set(section, slots);
    slots.push(n + 1);
    if (/\sll$/.test(text) || /^lddw\b/.test(text)) slots.push(n + 1);
  }
  return table;
}
