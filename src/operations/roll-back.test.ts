// The rollback operation's refusals, over in-memory ports: nothing is recorded or rolled out when the target is
// unknown, when its access cannot be compared, or when it would widen access.
import { beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_CONFIG_DIR } from '../../test/support/sample-config.ts';
import type { AccessSide } from '../access/rollback-access.ts';
import type { Config } from '../config/model.ts';
import { findEnvironment, requireValidConfig } from '../config/valid-config.ts';
import type { DeploymentRecord } from '../rollout/rollback-target.ts';
import type { DeploymentLog } from './ports.ts';
import { type RollbackPorts, type RollbackRequest, rollBack } from './roll-back.ts';
import type { RolloutAdapters } from './roll-out.ts';

let config: Config;
beforeAll(async () => {
  ({ config } = await requireValidConfig(SAMPLE_CONFIG_DIR));
});

const OLD = {
  id: 1,
  sha: 'a'.repeat(40),
  imageTag: 'git-old',
  createdAt: '2026-11-01T00:00:00Z',
  state: 'success',
};
const NEW = {
  id: 2,
  sha: 'b'.repeat(40),
  imageTag: 'git-new',
  createdAt: '2026-11-02T00:00:00Z',
  state: 'success',
};

function fakes(accessAt: RollbackPorts['accessAt']) {
  const calls: string[] = [];
  const deployments: DeploymentLog = {
    history: async () => [NEW, OLD] as DeploymentRecord[],
    create: async () => {
      calls.push('create');
      return 3;
    },
    setStatus: async () => {
      calls.push('setStatus');
    },
  };
  const adapters: RolloutAdapters = {
    deployments,
    registry: {
      repositoryName: 'lattice-ingress-staging',
      listTags: async () => ['git-new', 'git-old'],
      findImage: async () => ({ digest: 'sha256:1' }),
    },
    stacks: {
      describe: async () => ({
        StackName: 'ingress',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Parameters: [{ ParameterKey: 'ImageTag', ParameterValue: 'git-new' }],
      }),
      updateParameter: async () => {
        calls.push('updateParameter');
        return true;
      },
      eventsSince: async () => [],
      cancelUpdate: async () => {},
    },
    fleet: () => {
      throw new Error('no fleet in these cases');
    },
    clock: { now: () => new Date('2026-12-07T00:00:00Z'), sleep: async () => {} },
  };
  const environment = findEnvironment(config, config.deployment.environments[0]?.name ?? '');
  const ports: RollbackPorts = {
    open: async () => ({
      state: 'opened',
      config,
      environment,
      githubEnvironment: environment.name,
      adapters,
    }),
    accessAt,
  };
  return { ports, adapters, calls };
}

const log = { info: () => {}, warning: () => {} };

function request(overrides: Partial<RollbackRequest> = {}): RollbackRequest {
  return {
    environment: config.deployment.environments[0]?.name ?? '',
    target: 'previous',
    who: 'mona',
    why: 'broken',
    allowWiderAccess: false,
    fallbackSha: 'c'.repeat(40),
    logUrl: '',
    timeoutMs: 60_000,
    pollIntervalMs: 1000,
    cancelOnTimeout: true,
    ...overrides,
  };
}

describe('rollBack refuses, changing nothing', () => {
  it('when the target commit’s configuration cannot be read', async () => {
    const { ports, calls } = fakes(async (sha) => {
      if (sha === OLD.sha) throw new Error(`commit ${sha.slice(0, 12)} is not in the clone`);
      return config;
    });
    const outcome = await rollBack(request(), ports, log);
    expect(outcome).toMatchObject({
      state: 'refused',
      reason: expect.stringContaining(
        'could not be compared with what runs now (commit aaaaaaaaaaaa is not in the clone)',
      ),
      access: { compared: false },
    });
    expect(calls).toEqual([]);
  });

  it('when the target would admit a range that what runs now does not', async () => {
    const wider: AccessSide = {
      ...config,
      allowlist: {
        ...config.allowlist,
        entries: [...config.allowlist.entries, { cidr: '203.0.113.99/32', description: 'Former partner' }],
      },
    };
    const { ports, calls } = fakes(async (sha) => (sha === OLD.sha ? wider : config));
    const outcome = await rollBack(request(), ports, log);
    expect(outcome).toMatchObject({
      state: 'refused',
      reason: expect.stringContaining('would widen access'),
    });
    expect(
      outcome.state === 'refused' && outcome.access?.compared && outcome.access.widening.readmitted,
    ).toEqual([{ cidr: '203.0.113.99/32', description: 'Former partner' }]);
    expect(calls).toEqual([]);
  });

  it('when the target image, as rendered on its own render day, admits an entry that has expired since', async () => {
    // The image of OLD was rendered on 2026-10-20, with a partner entry valid through 2026-10-25; its deployment
    // record is of 2026-11-01 (a later rollback to it), by when the entry had expired.
    const partner = { cidr: '203.0.113.99/32', description: 'Partner', expires: '2026-10-25' };
    const renderedAt: string[] = [];
    const { ports, adapters, calls } = fakes(async (sha, at) => {
      renderedAt.push(`${sha.slice(0, 1)} ${at.toISOString().slice(0, 10)}`);
      const day = at.toISOString().slice(0, 10);
      if (sha !== OLD.sha || partner.expires < day) return config;
      return {
        ...config,
        allowlist: { ...config.allowlist, entries: [...config.allowlist.entries, partner] },
      };
    });
    adapters.registry.findImage = async (tag) => ({
      digest: 'sha256:1',
      tags: tag === OLD.imageTag ? [OLD.imageTag, `git-rendered-2026-10-20-${OLD.sha}`] : [tag],
    });
    const outcome = await rollBack(request(), ports, log);
    expect(renderedAt).toEqual(['b 2026-11-02', 'a 2026-10-20']);
    expect(outcome).toMatchObject({
      state: 'refused',
      reason: expect.stringContaining('would widen access'),
    });
    expect(calls).toEqual([]);
  });

  it('when the target is malformed or unknown', async () => {
    const { ports, calls } = fakes(async () => config);
    expect(await rollBack(request({ target: 'not a tag!' }), ports, log)).toMatchObject({ state: 'refused' });
    expect(await rollBack(request({ target: 'git-none' }), ports, log)).toMatchObject({
      state: 'refused',
      reason: expect.stringContaining('neither in the deployment history nor in the registry'),
    });
    expect(calls).toEqual([]);
  });
});
