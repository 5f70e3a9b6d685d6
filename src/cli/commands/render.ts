// `lattice-ingress render`: the NGINX configuration an environment's image ships, from config/.
// Nothing is written unless the whole config validates.

import { findEnvironment } from '../../config/valid-config.ts';
import { type NginxFlavour, renderProxy, renderTargetFor, writeRendered } from '../../render/render.ts';
import { type Command, UsageError } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

const FLAVOURS: readonly NginxFlavour[] = ['image', 'debian'];
export const command: Command = async (_args, parsed) => {
  const values = parsed.values as { env?: string; config: string; out?: string; flavour: string };
  const flavour = values.flavour as NginxFlavour;
  if (!FLAVOURS.includes(flavour))
    throw new UsageError(`--flavour ${flavour} is not a flavour`, `use one of ${FLAVOURS.join(', ')}`);
  if (!values.env) throw new UsageError('--env is required', 'name the environment to render: --env NAME');

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
