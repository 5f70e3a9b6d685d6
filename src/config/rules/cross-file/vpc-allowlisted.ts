// The VPC's own addresses are trusted to send PROXY protocol headers; allowlisting them is almost always a slip.
import { canonicalCidr, overlaps, parseCidr } from '../../cidr.ts';
import { defineRule } from '../rule.ts';

export const vpcAllowlisted = defineRule({
  name: 'vpc-allowlisted',
  group: 'cross-file',
  reads: ['allowlist', 'deployment'],
  codes: {
    'vpc-cidr-allowlisted': {
      severity: 'warning',
      summary:
        'an allowlist entry overlaps the VPC: clients never come from the proxy VPC, and its addresses are the trusted PROXY-protocol peers',
    },
  },
  check({ allowlist, deployment }, { allowlistNetworks, lineOf }, report) {
    const entries = allowlistNetworks(allowlist).valid;
    deployment.environments.forEach((env, index) => {
      const parsed = parseCidr(env.vpcCidr);
      if (!parsed.ok) return;
      const clash = entries.find((entry) => overlaps(entry.cidr, parsed.cidr));
      if (!clash) return;
      report(
        'vpc-cidr-allowlisted',
        { part: 'deployment', path: ['environments', index, 'vpcCidr'] },
        `vpcCidr ${env.vpcCidr} overlaps allowlist entry ${canonicalCidr(clash.cidr)} (allowlist.yaml line ${lineOf('allowlist', ['entries', clash.index])})`,
        'clients never come from the proxy VPC itself; narrow the allowlist entry or choose another VPC range',
      );
    });
  },
});
