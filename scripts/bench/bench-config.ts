// The configuration bench:proxy renders, by today's renderer or an earlier commit's (renderer-at.ts): one service on
// both ports and the given allowlist, read by that renderer's own schemas, since a commit's schemas may differ.
import { allowlistEntries } from './allowlist.ts';
import type { Renderer } from './renderer-at.ts';

/** The earlier commit bench:proxy compares with by default: before per-service access and connection limits. */
export const DEFAULT_BASELINE = '1a04e38';

/** Clients use the Lattice name directly, so the reference style's `proxy_pass http://$host` resolves it too. */
export const SERVICE_INPUT = {
  name: 'bench',
  domain: 'bench-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
  ports: [80, 443],
  auth: 'none',
};

export function benchConfig(cidrs: readonly string[], { model }: Renderer) {
  return {
    allowlist: { allowAnyAddress: false, entries: allowlistEntries(cidrs) },
    services: { services: [model.ServiceSchema.parse(SERVICE_INPUT)] },
    scaling: model.ScalingSchema.parse({ minTasks: 1, maxTasks: 1 }),
    deployment: model.DeploymentSchema.parse({
      environments: [
        {
          name: 'bench',
          account: '111122223333',
          region: 'eu-west-1',
          mode: 'private',
          vpcCidr: '10.0.0.0/16',
          github: { repository: 'example-org/lattice-ingress' },
        },
      ],
    }),
  };
}
