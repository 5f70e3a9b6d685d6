// The proxy VPC's range: IPv4, private, canonical, and a deliberate size.
import { canonicalCidr, isPrivateIpv4, parseCidr, WRITE_A_CIDR } from '../../cidr.ts';
import { defineRule } from '../rule.ts';

/** Accepted VPC sizes: big enough for three subnets per tier, small enough to be a deliberate choice. */
export const VPC_PREFIX_RANGE = { min: 16, max: 24 } as const;

export const vpcCidr = defineRule({
  name: 'vpc-cidr',
  group: 'deployment',
  reads: ['deployment'],
  codes: {
    'cidr-invalid': { severity: 'error', summary: '`vpcCidr` is not a network in address/prefix form' },
    'vpc-cidr-family': { severity: 'error', summary: '`vpcCidr` must be IPv4' },
    'cidr-not-canonical': { severity: 'error', summary: '`vpcCidr` has host bits set' },
    'vpc-cidr-size': {
      severity: 'error',
      summary: `\`vpcCidr\` must be /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}`,
    },
    'vpc-cidr-not-private': { severity: 'error', summary: '`vpcCidr` must be inside an RFC 1918 range' },
  },
  check({ deployment }, _context, report) {
    deployment.environments.forEach((env, index) => {
      const at = { part: 'deployment', path: ['environments', index, 'vpcCidr'] } as const;
      const parsed = parseCidr(env.vpcCidr);
      if (!parsed.ok) {
        report('cidr-invalid', at, `${env.vpcCidr} is not a valid CIDR: ${parsed.reason}`, WRITE_A_CIDR);
        return;
      }
      const { cidr } = parsed;
      if (cidr.family !== 4) {
        report(
          'vpc-cidr-family',
          at,
          'vpcCidr must be IPv4',
          'use a private IPv4 range such as 10.42.0.0/20',
        );
        return;
      }
      const canonical = canonicalCidr(cidr);
      if (canonical !== env.vpcCidr) {
        report(
          'cidr-not-canonical',
          at,
          `${env.vpcCidr} has host bits set: the network is ${canonical}`,
          `write ${canonical}`,
        );
      }
      if (cidr.prefix < VPC_PREFIX_RANGE.min || cidr.prefix > VPC_PREFIX_RANGE.max) {
        report(
          'vpc-cidr-size',
          at,
          `vpcCidr /${cidr.prefix} is outside /${VPC_PREFIX_RANGE.min}../${VPC_PREFIX_RANGE.max}`,
          `use a prefix from /${VPC_PREFIX_RANGE.min} (65,536 addresses) to /${VPC_PREFIX_RANGE.max} (256); /20 suits most fleets`,
        );
      }
      if (!isPrivateIpv4(cidr)) {
        report(
          'vpc-cidr-not-private',
          at,
          `vpcCidr ${env.vpcCidr} is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`,
          'use an RFC 1918 range that does not clash with networks your clients route to',
        );
      }
    });
  },
});
