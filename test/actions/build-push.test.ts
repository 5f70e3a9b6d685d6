// The bundled build-push action, run as the runner runs it. There is no Docker engine here, so a fake `docker`
// executable is put first on PATH: it records its arguments (and the build context it was given) and writes the
// buildx metadata file a real push writes. ECR is answered by the AWS stub.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderTag } from '../../src/contract/image-tags.ts';
import { roleAuthorizer } from '../support/aws-authorization.ts';
import { type AwsStub, AwsStubError, startAwsStub } from '../support/aws-stub.ts';
import { RUNNER_DEFAULTS, runAction } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

const ACCOUNT = '111122223333';
const REPOSITORY = 'lattice-ingress-staging';
const URI = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${REPOSITORY}`;
const SHA_TAG = `git-${RUNNER_DEFAULTS.GITHUB_SHA}`;
const BUILT_DIGEST = `sha256:${'3'.repeat(64)}`;
const REUSED_DIGEST = `sha256:${'4'.repeat(64)}`;
const OLD_DIGEST = `sha256:${'5'.repeat(64)}`;
/** The render tag of this run (the test would only fail across midnight UTC, if run exactly then). */
const renderTagToday = () => renderTag(RUNNER_DEFAULTS.GITHUB_SHA, new Date().toISOString().slice(0, 10));

const FAKE_DOCKER = `#!/usr/bin/env node
const { appendFileSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const args = process.argv.slice(2);
const entry = { args };
if (args[0] === 'login') entry.stdin = readFileSync(0, 'utf8');
if (args[0] === 'buildx') {
  const context = args[args.length - 1];
  entry.context = readdirSync(context).sort();
  const metadata = args[args.indexOf('--metadata-file') + 1];
  writeFileSync(metadata, JSON.stringify({ 'containerimage.digest': process.env.FAKE_DOCKER_DIGEST }));
}
appendFileSync(process.env.FAKE_DOCKER_LOG, JSON.stringify(entry) + '\\n');
`;

let aws: AwsStub;
let bin: string;
let log: string;
beforeAll(async () => {
  aws = await startAwsStub({}, { authorize: await roleAuthorizer('deploy', 'staging') });
  bin = await mkdtemp(join(tmpdir(), 'fake-docker-'));
  log = join(bin, 'docker.log');
  // No extension and no package.json above it: node runs it as CommonJS, hence require().
  await writeFile(join(bin, 'docker'), FAKE_DOCKER);
  await chmod(join(bin, 'docker'), 0o755);
});
afterAll(async () => {
  await aws.close();
  await rm(bin, { recursive: true, force: true });
});
afterEach(async () => {
  aws.requests.length = 0;
  await rm(log, { force: true });
});

async function dockerCalls(): Promise<{ args: string[]; stdin?: string; context?: string[] }[]> {
  if (!existsSync(log)) return [];
  return (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** Tags the fake docker pushed (without the repository), so ECR then finds them. */
function pushedTags(): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .flatMap((line) => {
      const { args } = JSON.parse(line) as { args: string[] };
      return args.flatMap((arg, i) => (args[i - 1] === '--tag' ? [arg.slice(URI.length + 1)] : []));
    });
}

function ecr(images: Record<string, string>) {
  const notFound = (tag: string) =>
    new AwsStubError('ImageNotFoundException', `The image with imageId {imageTag:'${tag}'} does not exist`);
  return {
    'sts:GetCallerIdentity': { Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/gha` },
    'ecr:DescribeRepositories': { repositories: [{ repositoryName: REPOSITORY, repositoryUri: URI }] },
    'ecr:GetAuthorizationToken': {
      authorizationData: [
        {
          authorizationToken: Buffer.from('AWS:secret-password').toString('base64'),
          proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`,
        },
      ],
    },
    'ecr:DescribeImages': ({ params }: { params: Record<string, unknown> }) => {
      const tag = (params.imageIds as { imageTag: string }[])[0]?.imageTag ?? '';
      const digest = images[tag] ?? (pushedTags().includes(tag) ? BUILT_DIGEST : undefined);
      if (!digest) throw notFound(tag);
      return { imageDetails: [{ imageDigest: digest, imageTags: [tag] }] };
    },
    'ecr:BatchGetImage': ({ params }: { params: Record<string, unknown> }) => ({
      images: [
        {
          imageId: {
            imageTag: (params.imageIds as { imageTag: string }[])[0]?.imageTag,
            imageDigest: REUSED_DIGEST,
          },
          imageManifest: '{"schemaVersion":2}',
          imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
        },
      ],
      failures: [],
    }),
    'ecr:PutImage': { image: { imageId: { imageTag: SHA_TAG, imageDigest: REUSED_DIGEST } } },
  };
}

function run() {
  return runAction('build-push', {
    awsEndpoint: aws.url,
    pathPrepend: [bin],
    env: { FAKE_DOCKER_LOG: log, FAKE_DOCKER_DIGEST: BUILT_DIGEST },
    inputs: { environment: 'staging', 'config-dir': SAMPLE_CONFIG_DIR },
  });
}

describe('build-push action (bundled)', () => {
  it('renders, logs in, builds linux/arm64 with labels and both tags, pushes, and outputs the pinned image', async () => {
    aws.set(ecr({}));
    const result = await run();
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const hash = result.outputs['content-hash'] ?? '';
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // The deployed tag names the content; the commit and the render (commit and day) are tags beside it.
    expect(result.outputs).toMatchObject({
      'image-tag': `cfg-${hash}`,
      'image-digest': BUILT_DIGEST,
      'image-uri': `${URI}:cfg-${hash}@${BUILT_DIGEST}`,
      skipped: 'false',
    });
    const [login, build] = await dockerCalls();
    expect(login?.args).toEqual([
      'login',
      '--username',
      'AWS',
      '--password-stdin',
      `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`,
    ]);
    expect(login?.stdin).toBe('secret-password');
    expect(build?.args.slice(0, 4)).toEqual(['buildx', 'build', '--platform', 'linux/arm64']);
    expect(build?.args).toEqual(
      expect.arrayContaining([
        '--push',
        `${URI}:${SHA_TAG}`,
        `${URI}:cfg-${hash}`,
        `${URI}:${renderTagToday()}`,
        `org.opencontainers.image.revision=${RUNNER_DEFAULTS.GITHUB_SHA}`,
        `io.github.lattice-ingress.config-hash=${hash}`,
        `io.github.lattice-ingress.rendered-on=${new Date().toISOString().slice(0, 10)}`,
        `CONFIG_HASH=${hash}`,
      ]),
    );
    expect(build?.context).toEqual(expect.arrayContaining(['nginx.conf', 'allowlist.conf']));
    expect(result.summary).toContain('✅ built and pushed');
  });

  it('skips the build when cfg-<hash> exists and tags that manifest git-<sha> and the render with PutImage', async () => {
    aws.set(ecr({}));
    const first = await run();
    const hash = first.outputs['content-hash'] ?? '';
    await rm(log, { force: true });
    aws.requests.length = 0;

    aws.set(ecr({ [`cfg-${hash}`]: REUSED_DIGEST }));
    const result = await run();
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.outputs).toMatchObject({
      'content-hash': hash,
      skipped: 'true',
      'image-digest': REUSED_DIGEST,
    });
    expect(await dockerCalls()).toEqual([]);
    expect(aws.calls('ecr:PutImage')[0]?.params).toMatchObject({
      repositoryName: REPOSITORY,
      imageTag: SHA_TAG,
      imageDigest: REUSED_DIGEST,
      imageManifest: '{"schemaVersion":2}',
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect(aws.calls('ecr:PutImage').map((c) => c.params.imageTag)).toEqual([SHA_TAG, renderTagToday()]);
    expect(result.outputs['image-tag']).toBe(`cfg-${hash}`);
    expect(result.summary).toContain('♻️ reused the image with the same content');
  });

  it('builds a new image when the commit was deployed before with other content, and never tags the old one', async () => {
    // The daily expiry run deploys the commit already deployed: the render leaves an expired entry out, so the
    // content hash is new, while git-<sha> still names the image that admits the entry.
    aws.set(ecr({ [SHA_TAG]: OLD_DIGEST }));
    const result = await run();
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const hash = result.outputs['content-hash'] ?? '';
    const [, build] = await dockerCalls();
    const pushedTo = build?.args.filter((_, i, args) => args[i - 1] === '--tag');
    expect(pushedTo).toEqual([`${URI}:cfg-${hash}`, `${URI}:${renderTagToday()}`]);
    expect(aws.calls('ecr:PutImage')).toEqual([]);
    // The deployed ImageTag changes with the content, so the fleet rolls out to the new image.
    expect(result.outputs).toMatchObject({
      'image-tag': `cfg-${hash}`,
      'image-digest': BUILT_DIGEST,
      skipped: 'false',
    });
    expect(result.summary).toContain(`\`${SHA_TAG}\` names another image (\`${OLD_DIGEST}\`)`);
  });

  it('accepts ImageAlreadyExists when the git tag already names the same image', async () => {
    aws.set(ecr({}));
    const hash = (await run()).outputs['content-hash'] ?? '';
    await rm(log, { force: true });
    aws.requests.length = 0;
    const gitLookups = () =>
      aws.calls('ecr:DescribeImages').filter((c) => JSON.stringify(c.params).includes(SHA_TAG)).length;
    aws.set({
      ...ecr({ [`cfg-${hash}`]: REUSED_DIGEST }),
      'ecr:DescribeImages': ({ params }: { params: Record<string, unknown> }) => {
        const tag = (params.imageIds as { imageTag: string }[])[0]?.imageTag ?? '';
        // git tag: missing at first (a concurrent run is tagging it), present when checked after the conflict.
        if (tag === SHA_TAG && gitLookups() < 2)
          throw new AwsStubError('ImageNotFoundException', 'not found');
        return { imageDetails: [{ imageDigest: REUSED_DIGEST, imageTags: [tag] }] };
      },
      'ecr:PutImage': new AwsStubError('ImageAlreadyExistsException', 'Image with digest already exists'),
    });
    const result = await run();
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.outputs.skipped).toBe('true');
  });

  it('push: false builds without pushing and without touching AWS', async () => {
    const result = await runAction('build-push', {
      pathPrepend: [bin],
      env: { FAKE_DOCKER_LOG: log, FAKE_DOCKER_DIGEST: BUILT_DIGEST },
      inputs: { environment: 'staging', 'config-dir': SAMPLE_CONFIG_DIR, push: false },
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const calls = await dockerCalls();
    expect(calls.map((c) => c.args[0])).toEqual(['buildx']);
    expect(calls[0]?.args).toContain('--output=type=cacheonly');
    expect(calls[0]?.args).not.toContain('--push');
    expect(result.outputs).toMatchObject({
      skipped: 'false',
      'image-tag': `cfg-${result.outputs['content-hash']}`,
    });
    expect(result.outputs['image-uri']).toBeUndefined();
  });
});
