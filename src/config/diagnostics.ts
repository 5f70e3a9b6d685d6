// A located finding about the configuration, and the three ways it is printed.

export type Severity = 'error' | 'warning';

/** A code as it is declared once, with its severity and the summary the code table in docs/configuration.md shows. */
export interface CodeDeclaration {
  severity: Severity;
  /** One line (Markdown). */
  summary: string;
}

export interface Diagnostic {
  severity: Severity;
  /** Path as given to the loader, e.g. config/allowlist.yaml. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Stable identifier of the rule, e.g. cidr-not-canonical. */
  code: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  hint?: string;
}

export type OutputFormat = 'text' | 'json' | 'github';

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code),
  );
}

export function formatText(d: Diagnostic): string {
  const hint = d.hint ? `\n  fix: ${d.hint}` : '';
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]${hint}`;
}

/** GitHub workflow command, so the runner annotates the line in the pull request diff. */
export function formatGithub(d: Diagnostic): string {
  const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const body = d.hint ? `${d.message}\nFix: ${d.hint}` : d.message;
  const command = d.severity === 'error' ? 'error' : 'warning';
  return `::${command} file=${escapeProperty(d.file)},line=${d.line},col=${d.column},title=${escapeProperty(d.code)}::${escapeData(body)}`;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], format: OutputFormat): string {
  const sorted = sortDiagnostics(diagnostics);
  if (format === 'json') return JSON.stringify(sorted, null, 2);
  const lines = sorted.map(format === 'github' ? formatGithub : formatText);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.length - errors;
  if (format === 'text') lines.push(`${errors} error(s), ${warnings} warning(s)`);
  return lines.join('\n');
}
