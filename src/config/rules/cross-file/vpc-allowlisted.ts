// The VPC's own addresses are the trusted PROXY-protocol peers (the load balancers), and nginx judges a client whose
// header it cannot parse (255.255.255.255 is its parse-error value; PROXY v1 integer forms) by the peer's own
// address. Allowlisting any VPC address would admit such clients: an error, never a warning.
import { canonicalCidr, overlaps, parseCidr } from '../../cidr.ts';
import { defineRule } from '../rule.ts';

export const vpcAllowlisted = defineRule({
  name: 'vpc-allowlisted',
  group: 'cross-file',
  reads: ['allowlist', 'deployment'],
  codes: {
    'vpc-cidr-allowlisted': {
      severity: 'error',
      summary:
        'an allowlist entry overlaps the VPC: its addresses are the trusted PROXY-protocol peers, and a client whose PROXY header cannot be parsed is judged by them',
    },
  },
  check({ allowlist, deployment }, { allowlistNetworks, lineOf }, report) {
    // An entry for every address overlaps every VPC: it is an open proxy, which the any-address rule judges (an
    // error without allowAnyAddress, accepted with it), and it admits a client judged by the peer's address no
    // more than any other client.
    const entries = allowlistNetworks(allowlist).valid.filter((entry) => entry.cidr.prefix > 0);
    deployment.environments.forEach((env, index) => {
      const parsed = parseCidr(env.vpcCidr);
      if (!parsed.ok) return;
      const clash = entries.find((entry) => overlaps(entry.cidr, parsed.cidr));
      if (!clash) return;
      report(
        'vpc-cidr-allowlisted',
        { part: 'deployment', path: ['environments', index, 'vpcCidr'] },
        `vpcCidr ${env.vpcCidr} overlaps allowlist entry ${canonicalCidr(clash.cidr)} (allowlist.yaml line ${lineOf('allowlist', ['entries', clash.index])})`,
        'clients never come from the proxy VPC itself, and allowing its addresses would admit clients with an unparseable PROXY header; narrow the allowlist entry or choose another VPC range',
      );
    });
  },
});
