// `lattice-ingress render`: the NGINX configuration an environment's image ships, from config/.
// Nothing is written unless the whole config validates.

import { parseArgs } from 'node:util';
import { findEnvironment } from '../../config/valid-config.ts';
import { type NginxFlavour, renderProxy, renderTargetFor, writeRendered } from '../../render/render.ts';
import type { Command } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

const FLAVOURS: readonly NginxFlavour[] = ['image', 'debian'];
const USAGE = `Usage: lattice-ingress render --env NAME [--config DIR] [--out DIR] [--flavour image|debian]

Renders the proxy's NGINX files for environment NAME into DIR (the files the image ships), or prints them
when --out is omitted. --flavour debian renders the same config for Debian's nginx 1.22 (stream loaded as a
module, no \`resolve\` on upstream servers), which is what the tests run.`;

export const command: Command = async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      env: { type: 'string' },
      config: { type: 'string', default: 'config' },
      out: { type: 'string' },
      flavour: { type: 'string', default: 'image' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const flavour = values.flavour as NginxFlavour;
  if (!FLAVOURS.includes(flavour)) throw new Error(`--flavour must be one of ${FLAVOURS.join(', ')}`);
  if (!values.env) throw new Error(`--env is required\n\n${USAGE}`);

  const config = await loadValidConfig(values.config, 'The config has errors; nothing was rendered');
  if (!config) return 1;
  const env = findEnvironment(config, values.env);
  const files = renderProxy(config, { ...renderTargetFor(env), flavour });
  if (!values.out) {
    for (const [name, content] of files) process.stdout.write(`# ==> ${name} <==\n${content}\n`);
    return 0;
  }
  await writeRendered(files, values.out);
  console.error(`rendered ${[...files.keys()].join(', ')} for ${env.name} (${flavour}) into ${values.out}`);
  return 0;
};
