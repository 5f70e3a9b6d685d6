// JSON Schemas for editors, generated from the zod model so the two cannot drift apart. The committed copies in
// config/schemas/ are checked by a test; `npm run schemas` rewrites them.
import { z } from 'zod';
import { CONFIG_FILES, type ConfigPart } from './model.ts';

/** config/<file> -> its schema file name, as referenced by each file's `# yaml-language-server: $schema=` line. */
export function schemaFileName(part: ConfigPart): string {
  return CONFIG_FILES[part].file.replace(/\.yaml$/, '.schema.json');
}

/** File name -> JSON text for every config file. Draft-07: the dialect editors support best. */
export function renderJsonSchemas(): Map<string, string> {
  const schemas = new Map<string, string>();
  for (const [part, { file, schema }] of Object.entries(CONFIG_FILES) as [
    ConfigPart,
    (typeof CONFIG_FILES)[ConfigPart],
  ][]) {
    // io: 'input' describes what people write: keys with defaults are optional.
    const { $schema, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' });
    const json = {
      $schema,
      $comment: 'Generated from src/config/model.ts by `npm run schemas`; do not edit by hand.',
      title: `lattice-ingress ${file}`,
      ...rest,
    };
    schemas.set(schemaFileName(part), `${JSON.stringify(json, null, 2)}\n`);
  }
  return schemas;
}
