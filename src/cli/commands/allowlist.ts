// `lattice-ingress allowlist import FILE.csv` and `allowlist fmt`: bulk edits of allowlist.yaml. Both write through
// the one editor (comments kept, values quoted as YAML needs), and only a file that validates as a whole.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AllowlistDocument } from '../../access/allowlist-edit.ts';
import { importCsv } from '../../access/allowlist-import.ts';
import { utcDay } from '../../access/expiry.ts';
import { canonicalCidr, parseCidr } from '../../config/cidr.ts';
import { formatDiagnostics } from '../../config/diagnostics.ts';
import { parseConfig, readConfigSources } from '../../config/load.ts';
import { parseYamlSource } from '../../config/yaml-source.ts';
import { type Command, UsageError } from '../command.ts';

interface AllowlistFlags {
  config: string;
  replace: boolean;
  check: boolean;
}

/** Validates the whole configuration with this allowlist text; prints the errors and returns false if any. */
async function validatesWith(
  configDir: string,
  allowlistText: string,
  nothingDone: string,
): Promise<boolean> {
  const sources = await readConfigSources(configDir);
  sources.allowlist = { ...sources.allowlist, bytes: new TextEncoder().encode(allowlistText) };
  const { diagnostics } = parseConfig(sources);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return true;
  console.error(`${formatDiagnostics(errors, 'text')}\n\n${nothingDone}: the result would not validate.`);
  return false;
}

async function importFile(file: string, values: AllowlistFlags): Promise<number> {
  const sources = await readConfigSources(values.config);
  const { parts, diagnostics } = parseConfig(sources);
  if (!parts.services || !parts.allowlist) {
    console.error(
      formatDiagnostics(
        diagnostics.filter((d) => d.severity === 'error'),
        'text',
      ),
    );
    console.error(`\nNothing was imported: fix ${values.config}/ first.`);
    return 1;
  }
  const csv = await readFile(file, 'utf8');
  const result = importCsv(csv, {
    services: parts.services.services.map((service) => service.name),
    existing: values.replace ? [] : parts.allowlist.entries,
    today: utcDay(new Date()),
  });
  if (result.problems.length > 0) {
    for (const problem of result.problems) {
      console.error(
        `${file}:${problem.line}: ${problem.column ? `${problem.column}: ` : ''}${problem.message}\n  fix: ${problem.fix}`,
      );
    }
    const rows = new Set(result.problems.map((problem) => problem.line)).size;
    console.error(`\n${result.problems.length} problem(s) on ${rows} line(s); nothing was imported.`);
    return 1;
  }
  const path = join(values.config, 'allowlist.yaml');
  const document = new AllowlistDocument(new TextDecoder().decode(sources.allowlist.bytes));
  if (values.replace) document.clear();
  document.append(result.entries);
  const text = document.toString();
  if (!(await validatesWith(values.config, text, 'Nothing was imported'))) return 1;
  await writeFile(path, text);
  console.log(`${path}: ${result.entries.length} entries imported, ${document.length} in all.`);
  return 0;
}

/** The ranges of allowlist.yaml in canonical form (RFC 5952 for IPv6); host bits are reported, not cleared. */
async function format(values: AllowlistFlags): Promise<number> {
  const path = join(values.config, 'allowlist.yaml');
  const text = await readFile(path, 'utf8');
  const parsed = parseYamlSource(text).value as { entries?: { cidr?: unknown }[] } | undefined;
  const document = new AllowlistDocument(text);
  const changed: string[] = [];
  for (const [index, entry] of (parsed?.entries ?? []).entries()) {
    const cidr = typeof entry?.cidr === 'string' ? parseCidr(entry.cidr) : undefined;
    if (!cidr?.ok || cidr.cidr.address !== cidr.cidr.network) continue;
    const canonical = canonicalCidr(cidr.cidr);
    if (canonical === entry.cidr) continue;
    document.setField(index, 'cidr', canonical);
    changed.push(`  ${entry.cidr} -> ${canonical}`);
  }
  if (changed.length === 0) {
    console.log(`${path}: every range is in canonical form.`);
    return 0;
  }
  if (values.check) {
    console.error(
      `${path}: ${changed.length} range(s) not in canonical form:\n${changed.join('\n')}\n  fix: lattice-ingress allowlist fmt`,
    );
    return 1;
  }
  const formatted = document.toString();
  if (!(await validatesWith(values.config, formatted, 'Nothing was written'))) return 1;
  await writeFile(path, formatted);
  console.log(`${path}: ${changed.length} range(s) rewritten:\n${changed.join('\n')}`);
  return 0;
}

export const command: Command = async (_args, parsed) => {
  const values = parsed.values as unknown as AllowlistFlags;
  const [action, file, ...extra] = parsed.positionals;
  if (action === 'import' && file && extra.length === 0) return importFile(file, values);
  if (action === 'fmt' && !file) return format(values);
  throw new UsageError(
    action === 'import' ? 'import needs exactly one CSV file' : `unknown allowlist action "${action ?? ''}"`,
    'lattice-ingress allowlist import FILE.csv, or lattice-ingress allowlist fmt',
  );
};
