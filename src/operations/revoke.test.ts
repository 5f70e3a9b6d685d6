// The revoke and lift operations over an in-memory network ACL: the decisions, without AWS.
import { describe, expect, it } from 'vitest';
import type { DenyRule } from '../access/revocation.ts';
import { type AllowlistEntry, EnvironmentSchema } from '../config/model.ts';
import { lift } from './lift.ts';
import { type RevocationAcl, type RevocationPorts, revoke } from './revoke.ts';

const environment = EnvironmentSchema.parse({
  name: 'prod-eu',
  account: '111122223333',
  region: 'eu-west-1',
  mode: 'private',
  vpcCidr: '10.9.0.0/20',
  github: { repository: 'example-org/lattice-ingress' },
});
const NOW = new Date('2026-12-07T12:00:00Z');

class MemoryAcl implements RevocationAcl {
  readonly id = 'acl-1';
  constructor(public rules: DenyRule[] = []) {}
  async denies() {
    return [...this.rules];
  }
  async deny(rule: DenyRule) {
    this.rules.push(rule);
  }
  async lift(rule: DenyRule) {
    this.rules = this.rules.filter((r) => r.ruleNumber !== rule.ruleNumber);
  }
}

function ports(
  acl: MemoryAcl | undefined,
  fail?: Error,
  allowlist: AllowlistEntry[] = [],
): RevocationPorts & { asked: number } {
  const result = {
    asked: 0,
    open: async (name: string) =>
      name === environment.name
        ? { state: 'opened' as const, environment, allowlist }
        : { state: 'refused' as const, reason: `no environment named "${name}"`, fix: 'name another' },
    clock: { now: () => NOW },
    revocationAcl: async () => {
      result.asked++;
      if (fail) throw fail;
      return acl;
    },
  };
  return result;
}

const request = { environment: environment.name, who: 'oncall', why: 'compromised host' };

describe('revoke', () => {
  it('denies the range at the lowest free rule and records who, why and when', async () => {
    const acl = new MemoryAcl([{ ruleNumber: 100, cidr: '192.0.2.0/24' }]);
    const outcome = await revoke({ ...request, cidr: '203.0.113.16/28' }, ports(acl));
    expect(outcome).toEqual({
      state: 'completed',
      changed: true,
      deniedBy: '203.0.113.16/28',
      record: {
        environment: 'prod-eu',
        cidr: '203.0.113.16/28',
        who: 'oncall',
        why: 'compromised host',
        when: NOW.toISOString(),
        aclId: 'acl-1',
        rule: 101,
      },
    });
    expect(acl.rules).toContainEqual({ ruleNumber: 101, cidr: '203.0.113.16/28' });
  });

  it('changes nothing for a range a wider deny already covers', async () => {
    const acl = new MemoryAcl([{ ruleNumber: 100, cidr: '203.0.113.0/24' }]);
    const outcome = await revoke({ ...request, cidr: '203.0.113.16/28' }, ports(acl));
    expect(outcome).toMatchObject({ state: 'completed', changed: false, deniedBy: '203.0.113.0/24' });
    expect(acl.rules).toHaveLength(1);
  });

  it('refuses the environment’s own range before asking AWS anything', async () => {
    const fake = ports(new MemoryAcl());
    const outcome = await revoke({ ...request, cidr: '10.9.1.0/24' }, fake);
    expect(outcome).toMatchObject({ state: 'refused', reason: expect.stringContaining("VPC's own range") });
    expect(fake.asked).toBe(0);
  });

  it('says how the allowlist must change when asked', async () => {
    const allowlist = [{ cidr: '203.0.113.0/24', description: 'Partner' }];
    const outcome = await revoke(
      { ...request, cidr: '203.0.113.16/28', changeAllowlist: true },
      ports(new MemoryAcl(), undefined, allowlist),
    );
    expect(outcome.state === 'completed' && outcome.allowlistChange?.replace.get(0)?.length).toBe(4);
  });

  it('refuses an environment that cannot be opened before asking AWS anything', async () => {
    const fake = ports(new MemoryAcl());
    const outcome = await revoke({ ...request, environment: 'prod', cidr: '203.0.113.16/28' }, fake);
    expect(outcome).toMatchObject({ state: 'refused', reason: 'no environment named "prod"' });
    expect(fake.asked).toBe(0);
  });

  it('returns a failure, not an exception, when AWS fails or the stack has no revocation ACL', async () => {
    const denied = new Error('AccessDenied');
    expect(await revoke({ ...request, cidr: '203.0.113.16/28' }, ports(undefined, denied))).toMatchObject({
      state: 'failed',
      error: denied,
    });
    expect(await revoke({ ...request, cidr: '203.0.113.16/28' }, ports(undefined))).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('no revocation network ACL output'),
    });
  });
});

describe('lift', () => {
  it('lifts the denies the allowlist no longer admits and keeps the others', async () => {
    const acl = new MemoryAcl([
      { ruleNumber: 100, cidr: '192.0.2.99/32' },
      { ruleNumber: 101, cidr: '198.51.100.7/32' },
    ]);
    const allowlist = [{ cidr: '198.51.100.0/24', description: 'Head office' }];
    const outcome = await lift(environment.name, ports(acl, undefined, allowlist));
    expect(outcome).toEqual({
      state: 'completed',
      lifted: [{ ruleNumber: 100, cidr: '192.0.2.99/32' }],
      inPlace: 2,
    });
    expect(acl.rules).toEqual([{ ruleNumber: 101, cidr: '198.51.100.7/32' }]);
  });
});
