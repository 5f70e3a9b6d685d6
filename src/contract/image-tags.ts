// The immutable image tag scheme. An image is named by what it contains: cfg-<64-hex content hash> of the rendered
// files, the Dockerfile and the platform is the tag a deploy rolls out, so the deployed ImageTag changes exactly when
// the content does. Beside it, git-rendered-<day>-<sha> says which commit rendered on which UTC day gave that content
// (the day decides which allowlist entries had expired), and git-<sha> names the first image built for a commit.
// One definition serves the code that makes tags, the actions that take them as inputs, the CloudFormation
// AllowedPattern of the ingress stack's ImageTag parameter and whoever asks what an image admits (imageContent).

/** Name of the ingress stack's CloudFormation parameter that selects the image tag. */
export const IMAGE_TAG_PARAMETER = 'ImageTag';

const COMMIT_SHA_HEX = '[0-9a-f]{40}';
const CONTENT_HASH_HEX = '[0-9a-f]{64}';

/** The tags build-push creates, as the ImageTag parameter's AllowedPattern (CloudFormation regex syntax). */
export const IMAGE_TAG_PATTERN = `^(git-${COMMIT_SHA_HEX}|cfg-${CONTENT_HASH_HEX})$`;
/** A tag the ingress stack accepts: the same pattern as the parameter's AllowedPattern. */
export const IMAGE_TAG = new RegExp(IMAGE_TAG_PATTERN);
/** Any tag a registry can hold (Docker's tag grammar, which ECR shares), e.g. a rollback target found there. */
export const REGISTRY_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const GIT_SHA = new RegExp(`^${COMMIT_SHA_HEX}$`);
const CONTENT_HASH = new RegExp(`^${CONTENT_HASH_HEX}$`);
/** Abbreviated or full commit sha as people paste it. */
export const GIT_SHA_PREFIX = /^[0-9a-f]{7,40}$/;

export function gitTag(sha: string): string {
  if (!GIT_SHA.test(sha)) throw new Error(`not a full 40-character lowercase commit sha: "${sha}"`);
  return `git-${sha}`;
}

export function configTag(contentHash: string): string {
  if (!CONTENT_HASH.test(contentHash)) throw new Error(`not a sha256 hex digest: "${contentHash}"`);
  return `cfg-${contentHash}`;
}

const UTC_DAY = /^\d{4}-\d{2}-\d{2}$/;
// After `git-` so the registry's lifecycle rule for deployed images (tag prefix git-) keeps it; `rendered` is not
// hex, so no commit prefix a person types (git-<7+ hex>) ever matches it.
const RENDER_TAG = new RegExp(`^git-rendered-(\\d{4}-\\d{2}-\\d{2})-(${COMMIT_SHA_HEX})$`);

/** git-rendered-<YYYY-MM-DD>-<sha>: the configuration of `sha`, rendered on that UTC day, is this image's content. */
export function renderTag(sha: string, day: string): string {
  if (!UTC_DAY.test(day)) throw new Error(`not a YYYY-MM-DD day: "${day}"`);
  return `git-rendered-${day}-${gitTag(sha).slice('git-'.length)}`;
}

/** Image labels build-push sets (readable with `docker inspect`; the registry's record is the tags). */
export const IMAGE_LABELS = {
  revision: 'org.opencontainers.image.revision',
  contentHash: 'io.github.lattice-ingress.config-hash',
  renderedOn: 'io.github.lattice-ingress.rendered-on',
} as const;

/** One render that gives an image's content: the commit's configuration with the entries expired on that day left out. */
export interface ImageRender {
  commit: string;
  /** UTC day, YYYY-MM-DD. */
  renderedOn: string;
}

export interface ImageContent {
  /** The content hash (its cfg- tag or label); undefined for an image build-push did not name. */
  contentHash?: string;
  /** Every render known to give this content, newest day first (any of them re-renders what the image admits). */
  renders: ImageRender[];
  /** Commits with a git-<sha> tag on the image: the first image built for each (no day: older images have only these). */
  commits: string[];
}

/**
 * What an image contains, from what the registry (its tags) or the image itself (its labels) carries: which content
 * and which renders. What an image admits is decided by this, not by the deployment that happened to run it.
 */
export function imageContent(record: {
  tags?: readonly string[];
  labels?: Readonly<Record<string, string>>;
}): ImageContent {
  const tags = record.tags ?? [];
  const labels = record.labels ?? {};
  const renders = new Map<string, ImageRender>();
  const add = (render: ImageRender) => renders.set(`${render.renderedOn} ${render.commit}`, render);
  for (const tag of tags) {
    const match = RENDER_TAG.exec(tag);
    if (match?.[1] && match[2]) add({ commit: match[2], renderedOn: match[1] });
  }
  const labelled = { commit: labels[IMAGE_LABELS.revision], renderedOn: labels[IMAGE_LABELS.renderedOn] };
  if (labelled.commit && GIT_SHA.test(labelled.commit) && UTC_DAY.test(labelled.renderedOn ?? ''))
    add(labelled as ImageRender);
  const hashTag = tags.find((tag) => tag.startsWith('cfg-') && CONTENT_HASH.test(tag.slice(4)));
  const contentHash = hashTag?.slice(4) ?? labels[IMAGE_LABELS.contentHash];
  return {
    ...(contentHash && CONTENT_HASH.test(contentHash) ? { contentHash } : {}),
    renders: [...renders.values()].sort(
      (a, b) => b.renderedOn.localeCompare(a.renderedOn) || a.commit.localeCompare(b.commit),
    ),
    commits: tags
      .filter((tag) => GIT_SHA.test(tag.slice(4)) && tag.startsWith('git-'))
      .map((t) => t.slice(4)),
  };
}

/**
 * The tag of an image reference such as 111122223333.dkr.ecr.eu-west-1.amazonaws.com/repo:git-abc or
 * repo:tag@sha256:...; undefined for a digest-only reference.
 */
export function tagOfImage(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? undefined : withoutDigest.slice(colon + 1);
}

/** repositoryUri:tag@digest, the reference that pins exactly one image. */
export function pinnedImageUri(repositoryUri: string, tag: string, digest: string): string {
  return `${repositoryUri}:${tag}@${digest}`;
}
