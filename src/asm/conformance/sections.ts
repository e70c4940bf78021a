// The bpf_conformance `.data` file format: sections opened by `-- <name>` lines, `#`
// comments anywhere, blank lines ignored.

/** One line of a section with its 1-based position in the file. */
export interface SectionLine {
  readonly text: string;
  /** 1-based line number in the file. */
  readonly line: number;
  /** 1-based column where `text` starts in the original line. */
  readonly column: number;
}

export interface Section {
  readonly name: string;
  /** 1-based line of the `-- name` header. */
  readonly line: number;
  readonly lines: SectionLine[];
}

/** Split a conformance file into sections. Text before the first header is ignored (licence comments). */
export function splitSections(text: string): Section[] {
  const out: Section[] = [];
  let current: Section | undefined;
  const rows = text.split(/\r?\n/);
  for (let i = 0; i < rows.length; i++) {
    const raw = rows[i]!;
    const header = /^--\s*(.*?)\s*$/.exec(raw);
    if (header) {
      current = { name: header[1]!, line: i + 1, lines: [] };
      out.push(current);
      continue;
    }
    const hash = raw.indexOf('#');
    const body = hash >= 0 ? raw.slice(0, hash) : raw;
    const trimmedStart = body.length - body.trimStart().length;
    const text = body.trim();
    if (text === '' || current === undefined) continue;
    current.lines.push({ text, line: i + 1, column: trimmedStart + 1 });
  }
  return out;
}
