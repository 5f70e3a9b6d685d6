// The Handlebars templates in proxy/templates, compiled once. They are found by walking up from this module, so
// the same code works from the repository and from an action bundle that runs inside a checkout.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export interface Templates {
  main: Handlebars.TemplateDelegate;
  allowlist: Handlebars.TemplateDelegate;
  entrypoint: Handlebars.TemplateDelegate;
}

const TEMPLATE_DIR = join('proxy', 'templates');
let compiled: Templates | undefined;

export function templateDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, TEMPLATE_DIR);
    if (existsSync(join(candidate, 'nginx.conf.hbs'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find ${TEMPLATE_DIR} above ${from}`);
  }
}

export function loadTemplates(): Templates {
  if (compiled) return compiled;
  const dir = templateDir();
  // strict: a misspelt field is an error instead of an empty string in the config.
  const handlebars = Handlebars.create();
  const partials = join(dir, 'partials');
  for (const file of readdirSync(partials).filter((name) => name.endsWith('.hbs'))) {
    // access-rules.hbs -> {{> accessRules}}
    const name = file.slice(0, -4).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    handlebars.registerPartial(name, readFileSync(join(partials, file), 'utf8'));
  }
  const compile = (file: string) =>
    handlebars.compile(readFileSync(join(dir, file), 'utf8'), { strict: true, noEscape: false });
  compiled = {
    main: compile('nginx.conf.hbs'),
    allowlist: compile('allowlist.conf.hbs'),
    entrypoint: compile('entrypoint.sh.hbs'),
  };
  return compiled;
}
