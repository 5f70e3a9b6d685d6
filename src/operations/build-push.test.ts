// The build-push operation over days, with the sample configuration and a registry that keeps tags immutable as ECR
// does: the same commit rendered after an entry expired must become another image under another tag.
import { describe, expect, it } from 'vitest';
import { SAMPLE_CONFIG_DIR } from '../../test/support/sample-config.ts';
import { findEnvironment, requireValidConfig } from '../config/valid-config.ts';
import { configTag, gitTag, imageContent, renderTag } from '../contract/image-tags.ts';
import type { RenderedFiles } from '../render/render.ts';
import {
  type BuildPushOutcome,
  type BuildPushPorts,
  type BuildRequest,
  buildPush,
  type ImageRegistry,
  planImage,
  type RegistryImage,
} from './build-push.ts';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const PARTNER = '203.0.113.16/28'; // expires 2030-06-30 in the sample

/** An ECR repository in memory: a tag names one digest forever. */
class MemoryRegistry implements ImageRegistry {
  readonly tags = new Map<string, string>();
  async repositoryUri() {
    return '111122223333.dkr.ecr.eu-west-1.amazonaws.com/lattice-ingress-staging';
  }
  async findImage(tag: string): Promise<RegistryImage | undefined> {
    const digest = this.tags.get(tag);
    return digest ? { digest, tags: this.tagsOf(digest) } : undefined;
  }
  async addTag(existingTag: string, newTag: string) {
    const digest = this.tags.get(existingTag);
    if (!digest) throw new Error(`no ${existingTag}`);
    this.tag(newTag, digest);
    return digest;
  }
  async login() {
    return { server: 'registry', username: 'AWS', password: 'secret' };
  }
  tag(tag: string, digest: string) {
    const existing = this.tags.get(tag);
    if (existing && existing !== digest) throw new Error(`tag ${tag} is immutable`);
    this.tags.set(tag, digest);
  }
  tagsOf(digest: string) {
    return [...this.tags].filter(([, d]) => d === digest).map(([tag]) => tag);
  }
}

function ports(registry: MemoryRegistry) {
  const builds: BuildRequest[] = [];
  const written: RenderedFiles[] = [];
  const value: BuildPushPorts = {
    registry,
    builder: {
      login: async () => {},
      build: async (request) => {
        builds.push(request);
        // Built from the content: another content gives another digest.
        const digest = `sha256:${request.buildArgs.CONFIG_HASH}`;
        for (const reference of request.tags) registry.tag(reference.split(':').pop() ?? '', digest);
        return { digest };
      },
    },
    context: {
      writeRendered: async (rendered) => {
        written.push(rendered);
      },
      dockerfile: async () => new TextEncoder().encode('FROM nginx\n'),
    },
    log: () => {},
  };
  return { value, builds, written };
}

async function deployOn(day: string, registry: MemoryRegistry) {
  const { config } = await requireValidConfig(SAMPLE_CONFIG_DIR, {
    expired: 'leave-out',
    now: new Date(`${day}T05:17:00Z`),
  });
  const stand = ports(registry);
  const outcome = await buildPush(
    {
      config,
      environment: findEnvironment(config, 'staging'),
      commit: COMMIT,
      renderedOn: day,
      platform: 'linux/arm64',
      push: true,
      paths: { context: '/build', dockerfile: '/build/Dockerfile', metadataFile: '/build.json' },
      sourceUrl: 'https://github.com/example-org/lattice-ingress',
    },
    stand.value,
  );
  const allowlist = [...(stand.written[0] ?? new Map()).values()].join('\n');
  return { outcome, builds: stand.builds, admitsPartner: allowlist.includes(PARTNER) };
}

function pushed(outcome: BuildPushOutcome) {
  if (outcome.state !== 'pushed' && outcome.state !== 'reused') throw new Error(JSON.stringify(outcome));
  return outcome;
}

describe('build-push over days: an image is named by what it contains', () => {
  it('the same commit rendered after an entry expired becomes a new image under a new tag; the old one is untouched', async () => {
    const registry = new MemoryRegistry();
    const before = await deployOn('2030-06-30', registry);
    const first = pushed(before.outcome);
    expect(before.admitsPartner).toBe(true);
    expect(first.state).toBe('pushed');
    expect(first.tags).toEqual([first.imageTag, gitTag(COMMIT), renderTag(COMMIT, '2030-06-30')]);

    // The daily expiry run deploys the same commit the next day.
    const after = await deployOn('2030-07-01', registry);
    const second = pushed(after.outcome);
    expect(after.admitsPartner).toBe(false);
    expect(second.state).toBe('pushed');
    expect(second.imageTag).not.toBe(first.imageTag);
    expect(second.digest).not.toBe(first.digest);
    expect(second.kept).toEqual([{ tag: gitTag(COMMIT), digest: first.digest }]);
    // The old image keeps exactly its own tags: the new content's tag was never given to it.
    expect(registry.tagsOf(first.digest).sort()).toEqual(first.tags.sort());

    // What each image admits is told by the image: the first was rendered before the entry expired, the second after.
    const image = async (tag: string) => imageContent({ tags: (await registry.findImage(tag))?.tags ?? [] });
    expect((await image(first.imageTag)).renders).toEqual([{ commit: COMMIT, renderedOn: '2030-06-30' }]);
    expect(await image(second.imageTag)).toEqual({
      contentHash: second.contentHash,
      renders: [{ commit: COMMIT, renderedOn: '2030-07-01' }],
      commits: [],
    });
  });

  it('a later render with the same content reuses the image and records the render on it', async () => {
    const registry = new MemoryRegistry();
    const first = pushed((await deployOn('2030-07-01', registry)).outcome);
    const again = await deployOn('2030-07-02', registry);
    const reused = pushed(again.outcome);
    expect(again.builds).toEqual([]);
    expect(reused).toMatchObject({
      state: 'reused',
      imageTag: first.imageTag,
      digest: first.digest,
      kept: [],
    });
    expect(imageContent({ tags: registry.tagsOf(first.digest) }).renders.map((r) => r.renderedOn)).toEqual([
      '2030-07-02',
      '2030-07-01',
    ]);
  });

  it('fails with the reason, not a throw, when the registry cannot be read', async () => {
    const registry = new MemoryRegistry();
    registry.findImage = async () => {
      throw Object.assign(new Error('User is not authorized to perform: ecr:DescribeImages'), {
        name: 'AccessDeniedException',
      });
    };
    const { outcome } = await deployOn('2030-07-01', registry);
    expect(outcome).toMatchObject({
      state: 'failed',
      reason: 'AccessDeniedException: User is not authorized to perform: ecr:DescribeImages',
    });
  });
});

describe('planImage', () => {
  const wanted = {
    content: configTag('a'.repeat(64)),
    commit: gitTag(COMMIT),
    render: renderTag(COMMIT, '2030-07-01'),
  };
  const image = (digest: string): RegistryImage => ({ digest, tags: [] });

  it('builds when no image has the content, pushing only the tags that are free', () => {
    expect(planImage(wanted, { commit: image('old') })).toEqual({
      action: 'build',
      push: [wanted.content, wanted.render],
      kept: [{ tag: wanted.commit, digest: 'old' }],
    });
  });

  it('reuses the image with the content, whatever the commit tag names', () => {
    expect(planImage(wanted, { content: image('same'), commit: image('same') })).toEqual({
      action: 'reuse',
      digest: 'same',
      add: [wanted.render],
      kept: [],
    });
  });
});
