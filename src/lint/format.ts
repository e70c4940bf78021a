// Lint reports as compiler-style text, the JSON document DESIGN.md specifies, and SARIF 2.1.0.
import type { Diagnostic, LintReport, ProgramReport } from './diagnostic.js';

/** `file:line:col: error: message [insn N]` lines, or `section:insn N: ...` without a source. */
export function formatText(report: LintReport, inputName = '<input>'): string {
  const out: string[] = [];
  for (const p of report.programs) {
    for (const d of p.diagnostics) {
      const where = d.source !== undefined
        ? `${d.source.file}:${d.source.line}${d.source.column !== undefined ? `:${d.source.column}` : ''}`
        : `${inputName}:${p.section}`;
      out.push(`${where}: ${d.severity}: ${d.message} [${p.name} insn ${d.insn}]`);
      for (const n of d.notes ?? []) out.push(`  note: ${n}`);
      if (d.source?.text !== undefined) out.push(`  | ${d.source.text.trim()}`);
      if (d.hint !== undefined) out.push(`  hint: ${d.hint}`);
    }
    out.push(`${p.name} (${p.section}): ${p.skipped === true ? 'not checked' : p.verdict === 'accept' ? 'the verifier is expected to accept it' : 'the verifier is expected to REJECT it'}`);
  }
  return out.join('\n');
}

function jsonDiagnostic(d: Diagnostic): Record<string, unknown> {
  return {
    insn: d.insn,
    severity: d.severity,
    message: d.message,
    ...(d.notes !== undefined ? { notes: d.notes } : {}),
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
    ...(d.kind !== undefined ? { kind: d.kind } : {}),
    ...(d.source !== undefined ? { source: { file: d.source.file, line: d.source.line, ...(d.source.column !== undefined ? { column: d.source.column } : {}) } } : {}),
  };
}

/** `{"programs":[{"name","section","verdict","diagnostics":[...]}]}` */
export function formatJson(report: LintReport): { programs: Array<Record<string, unknown>> } {
  return {
    programs: report.programs.map((p: ProgramReport) => ({
      name: p.name,
      section: p.section,
      verdict: p.verdict,
      ...(p.skipped === true ? { skipped: true } : {}),
      diagnostics: p.diagnostics.map(jsonDiagnostic),
    })),
  };
}

/** SARIF 2.1.0 log with one run; rule ids are the rejection classes. */
export function formatSarif(report: LintReport, inputUri: string, toolVersion = '0.1.0'): Record<string, unknown> {
  const rules = new Map<string, { id: string; shortDescription: { text: string }; help?: { text: string } }>();
  const results: Array<Record<string, unknown>> = [];
  for (const p of report.programs) {
    for (const d of p.diagnostics) {
      const ruleId = d.kind ?? 'verifier';
      if (!rules.has(ruleId)) {
        rules.set(ruleId, { id: ruleId, shortDescription: { text: `verifier rejection: ${ruleId}` }, ...(d.hint !== undefined ? { help: { text: d.hint } } : {}) });
      }
      const region = d.source !== undefined
        ? { startLine: d.source.line, ...(d.source.column !== undefined ? { startColumn: d.source.column } : {}) }
        : undefined;
      results.push({
        ruleId,
        level: d.severity === 'error' ? 'error' : 'warning',
        message: { text: [d.message, ...(d.notes ?? [])].join('\n') + (d.hint !== undefined ? `\nhint: ${d.hint}` : '') },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: d.source?.file ?? inputUri },
            ...(region !== undefined ? { region } : {}),
          },
          logicalLocations: [{ name: p.name, fullyQualifiedName: `${p.section}/${p.name}`, kind: 'function' }],
        }],
        properties: { insn: d.insn, program: p.name, section: p.section },
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'bpf-ts lint', version: toolVersion, rules: [...rules.values()] } },
      results,
    }],
  };
}
