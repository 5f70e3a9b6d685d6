// The immutable image tag scheme: git-<40-hex sha> for every deployed build and cfg-<64-hex content hash> for the
// content it was built from. One definition serves the code that makes tags, the actions that take them as inputs
// and the CloudFormation AllowedPattern of the ingress stack's ImageTag parameter.

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
