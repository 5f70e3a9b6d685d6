// The proxy renderer of an earlier commit, so bench:proxy can measure that commit's nginx config beside today's in
// the same rounds (design `baseline`).
//
// The commit's own code renders it at bench time: `git archive` exports its src/, proxy/ and package.json into the
// run's temp directory and this process imports its renderer from there. Chosen over a rendered copy checked in
// next to reference-nginx.conf.hbs, which would be one more file to regenerate by hand, with ports and paths
// turned back into placeholders, and could drift from what the commit rendered; and over `git worktree add`, which
// registers the worktree in .git and leaves it registered when a run is killed. It needs the commit in the clone's
// history (a full clone has it) and this checkout's node_modules, which the export links to: the renderer's own
// dependencies (handlebars, zod) have not changed major version since.
import { execFile } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { LocalTargetOptions, RenderedFiles } from '../../src/render/render.ts';

const run = promisify(execFile);

interface Schema {
  parse(input: unknown): unknown;
}

/**
 * What the benchmark uses of a renderer, today's (`import * as`) or a commit's: its config schemas and its render
 * functions, with the commit's own types for config and target (hence the method signatures, whose parameters
 * accept either).
 */
export interface Renderer {
  model: { ServiceSchema: Schema; ScalingSchema: Schema; DeploymentSchema: Schema };
  render: {
    localRenderTarget(options: LocalTargetOptions): unknown;
    renderProxy(config: unknown, target: unknown): RenderedFiles;
  };
}

/** Exports `commit`'s renderer from the repository at `repo` into `dir` and loads it. */
export async function rendererAt(repo: string, commit: string, dir: string): Promise<Renderer> {
  await mkdir(dir, { recursive: true });
  const archive = join(dir, 'source.tar');
  await run('git', ['-C', repo, 'archive', '--output', archive, commit, 'package.json', 'src', 'proxy']);
  await run('tar', ['-xf', archive, '-C', dir]);
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'));
  const load = (file: string) => import(pathToFileURL(join(dir, file)).href);
  const renderer = {
    model: await load('src/config/model.ts'),
    render: await load('src/render/render.ts'),
  } as Renderer;
  const missing = [
    ...['ServiceSchema', 'ScalingSchema', 'DeploymentSchema'].filter((name) => !(name in renderer.model)),
    ...['localRenderTarget', 'renderProxy'].filter((name) => !(name in renderer.render)),
  ];
  if (missing.length > 0)
    throw new Error(
      `${commit}'s renderer has no ${missing.join(', ')}; pick a commit with today's render API`,
    );
  return renderer;
}
