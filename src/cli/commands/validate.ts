import { formatDiagnostics, hasErrors, type OutputFormat } from '../../config/diagnostics.ts';
import { loadConfig } from '../../config/load.ts';
import { type Command, UsageError } from '../command.ts';

const FORMATS: readonly OutputFormat[] = ['text', 'json', 'github'];

export const command: Command = async (_args, { values }) => {
  const format = values.format as OutputFormat;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format ${format} is not a format`, `use one of ${FORMATS.join(', ')}`);
  }
  const { diagnostics } = await loadConfig(values.config as string);
  const output = formatDiagnostics(diagnostics, format);
  if (output) console.log(output);
  return hasErrors(diagnostics) ? 1 : 0;
};
