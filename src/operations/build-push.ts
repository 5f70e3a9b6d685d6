// The build-push use case: render the proxy for an environment, hash what the image is made of, and either tag the
// image that already has exactly that content (no build) or build it and push it. The image a deploy rolls out is
// named by its content (cfg-<hash>), never by its commit: the same commit rendered on a later day can leave an
// expired allowlist entry out, and that render must become a new image and a new ImageTag, so the fleet rolls.
// It never throws: a registry or build error comes back as a failed outcome with what was known.
import type { Config, Environment } from '../config/model.ts';
import { configTag, gitTag, IMAGE_LABELS, renderTag } from '../contract/image-tags.ts';
import { type RenderedFiles, renderProxy, renderTargetFor } from '../render/render.ts';
import { errorName } from '../rollout/aws-answers.ts';
import { contentHash } from '../rollout/content-hash.ts';

export const DOCKERFILE = 'proxy/Dockerfile';

/**
 * Part of every content hash. Before images were named by content, a re-run could give an older image the cfg- tag
 * of new content; changing this value once means no hash made under that scheme is ever trusted again.
 */
const HASH_SCHEME = 'content-addressed-1';

export interface RegistryImage {
  digest: string;
  tags: string[];
  pushedAt?: Date;
}

export interface RegistryLogin {
  /** Host name, e.g. 111122223333.dkr.ecr.eu-west-1.amazonaws.com */
  server: string;
  username: string;
  password: string;
}

/** How the image is built and pushed (src/build/docker.ts). */
export interface BuildRequest {
  /** Directory sent as the build context (the rendered proxy configuration). */
  context: string;
  dockerfile: string;
  platform: string;
  /** Full references, e.g. <repository uri>:git-<sha>. */
  tags: readonly string[];
  labels: Readonly<Record<string, string>>;
  buildArgs: Readonly<Record<string, string>>;
  push: boolean;
  /** buildx writes the pushed digest here (--metadata-file). */
  metadataFile: string;
}

export interface ImageBuilder {
  login(login: RegistryLogin): Promise<void>;
  /** Builds (and pushes when asked); returns the pushed manifest digest when pushed. */
  build(request: BuildRequest): Promise<{ digest?: string }>;
}

/** The environment's ECR repository (src/aws/ecr.ts). */
export interface ImageRegistry {
  repositoryUri(): Promise<string>;
  /** The image with this tag, with all its tags; undefined when there is none. */
  findImage(tag: string): Promise<RegistryImage | undefined>;
  /** Adds `newTag` to the image tagged `existingTag`; returns its digest. */
  addTag(existingTag: string, newTag: string): Promise<string>;
  login(): Promise<RegistryLogin>;
}

/** Where the image is built from (the workspace, on the runner). */
export interface BuildContext {
  /** Empties the build context directory and writes the rendered files into it. */
  writeRendered(rendered: RenderedFiles): Promise<void>;
  /** The Dockerfile's bytes, part of what the image is made of. */
  dockerfile(): Promise<Uint8Array>;
}

export interface BuildPushPorts {
  /** Needed only to push; a build-only run needs no AWS access. */
  registry?: ImageRegistry;
  builder: ImageBuilder;
  context: BuildContext;
  log: (message: string) => void;
}

export interface BuildPushRequest {
  /** Loaded for a deploy on `renderedOn`: the entries expired that day are already left out. */
  config: Config;
  environment: Environment;
  commit: string;
  /** UTC day (YYYY-MM-DD) the configuration was loaded for. */
  renderedOn: string;
  platform: string;
  push: boolean;
  /** Paths the builder reads and writes. */
  paths: { context: string; dockerfile: string; metadataFile: string };
  /** https://github.com/<owner>/<repo>, for the image's source label. */
  sourceUrl: string;
}

export interface ImageFacts {
  contentHash: string;
  /** cfg-<hash>: the tag to deploy. */
  imageTag: string;
  renderedFiles: string[];
}

/** A tag this run did not add because it already names another image (tags are immutable). */
export interface KeptTag {
  tag: string;
  digest: string;
}

export interface ImagePushed extends ImageFacts {
  state: 'pushed' | 'reused';
  repositoryUri: string;
  digest: string;
  /** Tags the image has for this run: the content tag and those of commit and render it could take. */
  tags: string[];
  kept: KeptTag[];
}

export type BuildPushOutcome =
  | (ImageFacts & { state: 'built' })
  | ImagePushed
  | { state: 'failed'; reason: string; facts?: ImageFacts; error?: unknown };

/** Everything the image is made of, keyed by a stable name: the rendered files, the Dockerfile and the platform. */
export function imageInputs(
  rendered: ReadonlyMap<string, string>,
  dockerfile: Uint8Array,
  platform: string,
): Map<string, string | Uint8Array> {
  const inputs = new Map<string, string | Uint8Array>();
  for (const [path, content] of rendered) inputs.set(`rendered/${path}`, content);
  inputs.set(DOCKERFILE, dockerfile);
  inputs.set('build/platform', platform);
  inputs.set('build/scheme', HASH_SCHEME);
  return inputs;
}

/** The tags an image of this render carries: its content, its commit's first image, and this render. */
export interface WantedTags {
  content: string;
  commit: string;
  render: string;
}

/** What the registry holds under each wanted tag (undefined: the tag is free). */
export type FoundImages = Partial<Record<keyof WantedTags, RegistryImage>>;

export type ImagePlan =
  | { action: 'reuse'; digest: string; add: string[]; kept: KeptTag[] }
  | { action: 'build'; push: string[]; kept: KeptTag[] };

/**
 * Reuse only the image that has this content tag; a commit or render tag that names another image is kept as it is
 * (never moved, never followed), so an image is never reused for content it does not have.
 */
export function planImage(wanted: WantedTags, found: FoundImages): ImagePlan {
  const content = found.content;
  const extra = [wanted.commit, wanted.render];
  const holder = (tag: string) => (tag === wanted.commit ? found.commit : found.render);
  const kept = extra.flatMap((tag) => {
    const image = holder(tag);
    return image && image.digest !== content?.digest ? [{ tag, digest: image.digest }] : [];
  });
  const free = extra.filter((tag) => !holder(tag));
  return content
    ? { action: 'reuse', digest: content.digest, add: free, kept }
    : { action: 'build', push: [wanted.content, ...free], kept };
}

export async function buildPush(request: BuildPushRequest, ports: BuildPushPorts): Promise<BuildPushOutcome> {
  let facts: ImageFacts | undefined;
  try {
    const rendered = renderProxy(request.config, renderTargetFor(request.environment));
    await ports.context.writeRendered(rendered);
    const hash = contentHash(imageInputs(rendered, await ports.context.dockerfile(), request.platform));
    facts = { contentHash: hash, imageTag: configTag(hash), renderedFiles: [...rendered.keys()] };
    ports.log(
      `Rendered ${rendered.size} file(s) for ${request.environment.name} (${request.renderedOn}); content hash ${hash}`,
    );
    if (!request.push) {
      await build(request, ports, facts, [], false);
      return { ...facts, state: 'built' };
    }
    if (!ports.registry) return { state: 'failed', reason: 'pushing needs the ECR registry', facts };
    return await push(request, ports.registry, ports, facts);
  } catch (error) {
    const name = errorName(error);
    const message = error instanceof Error ? error.message : String(error);
    const reason = `${name && name !== 'Error' ? `${name}: ` : ''}${message}`;
    return { state: 'failed', reason, error, ...(facts ? { facts } : {}) };
  }
}

async function push(
  request: BuildPushRequest,
  registry: ImageRegistry,
  ports: BuildPushPorts,
  facts: ImageFacts,
): Promise<BuildPushOutcome> {
  const wanted: WantedTags = {
    content: facts.imageTag,
    commit: gitTag(request.commit),
    render: renderTag(request.commit, request.renderedOn),
  };
  const repositoryUri = await registry.repositoryUri();
  // One after another: the answers are then in a fixed order, which keeps the registry's log readable.
  const found: FoundImages = {};
  for (const key of ['content', 'commit', 'render'] as const) {
    const image = await registry.findImage(wanted[key]);
    if (image) found[key] = image;
  }
  const plan = planImage(wanted, found);
  for (const { tag, digest } of plan.kept) {
    ports.log(`${tag} already names another image (${digest}); left as it is, ${facts.imageTag} is deployed`);
  }
  const image = { ...facts, repositoryUri, kept: plan.kept };
  if (plan.action === 'reuse') {
    for (const tag of plan.add) await registry.addTag(wanted.content, tag);
    ports.log(`${wanted.content} already exists (${plan.digest}); skipped the build`);
    const tags = [
      wanted.content,
      ...[wanted.commit, wanted.render].filter((t) => !plan.kept.some((k) => k.tag === t)),
    ];
    return { ...image, state: 'reused', digest: plan.digest, tags };
  }
  await ports.builder.login(await registry.login());
  const built = await build(
    request,
    ports,
    facts,
    plan.push.map((tag) => `${repositoryUri}:${tag}`),
    true,
  );
  const pushed = await registry.findImage(wanted.content);
  if (!pushed) {
    return {
      state: 'failed',
      reason: `docker reported a push but ${repositoryUri}:${wanted.content} is not in ECR`,
      facts,
    };
  }
  if (built.digest && built.digest !== pushed.digest) {
    return {
      state: 'failed',
      reason: `buildx pushed ${built.digest} but ECR has ${pushed.digest} for ${wanted.content}`,
      facts,
    };
  }
  return { ...image, state: 'pushed', digest: pushed.digest, tags: plan.push };
}

function build(
  request: BuildPushRequest,
  ports: BuildPushPorts,
  facts: ImageFacts,
  tags: string[],
  pushing: boolean,
): Promise<{ digest?: string }> {
  return ports.builder.build({
    context: request.paths.context,
    dockerfile: request.paths.dockerfile,
    platform: request.platform,
    tags,
    labels: {
      [IMAGE_LABELS.revision]: request.commit,
      'org.opencontainers.image.source': request.sourceUrl,
      [IMAGE_LABELS.contentHash]: facts.contentHash,
      [IMAGE_LABELS.renderedOn]: request.renderedOn,
      'io.github.lattice-ingress.environment': request.environment.name,
    },
    buildArgs: { GIT_SHA: request.commit, CONFIG_HASH: facts.contentHash },
    push: pushing,
    metadataFile: request.paths.metadataFile,
  });
}
