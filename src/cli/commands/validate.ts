import { parseArgs } from 'node:util';
import { formatDiagnostics, hasErrors, type OutputFormat } from '../../config/diagnostics.ts';
import { loadConfig } from '../../config/load.ts';
import type { Command } from '../command.ts';

const FORMATS: readonly OutputFormat[] = ['text', 'json', 'github'];

export const command: Command = async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', default: 'config' },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: lattice-ingress validate [--config DIR] [--format text|json|github]');
    return 0;
  }
  const format = values.format as OutputFormat;
  if (!FORMATS.includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
  const { diagnostics } = await loadConfig(values.config);
  const output = formatDiagnostics(diagnostics, format);
  if (output) console.log(output);
  return hasErrors(diagnostics) ? 1 : 0;
};
