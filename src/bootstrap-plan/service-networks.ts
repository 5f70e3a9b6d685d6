// doctor's checks of the service-network endpoints of one environment (serviceNetworkEndpoints, directClients), pure:
// what deployment.yaml and services.yaml ask for against what the Ingress stack's outputs and EC2's
// DescribeVpcEndpointAssociations show. A service behind an endpoint is reachable only by a name of that endpoint:
// the association's DnsEntry.DnsName (endpointDomains) or its PrivateDnsEntry (a custom domain with private DNS).
import { containsCidr, parseCidr } from '../config/cidr.ts';
import {
  type Config,
  type Environment,
  serviceNetworkIdOf,
  serviceNetworkPath,
  upstreamNameIn,
} from '../config/model.ts';
import { INGRESS_OUTPUTS, serviceNetworkEndpointOutput } from '../contract/outputs.ts';
import type { Finding } from './finding.ts';

/** One entry of `aws ec2 describe-vpc-endpoint-associations` for an endpoint. */
export interface EndpointAssociation {
  associatedResourceArn?: string;
  dnsName?: string;
  privateDnsName?: string;
}

export interface EndpointState {
  /** Outputs of the environment's Ingress stack; undefined when it is not deployed. */
  ingressOutputs?: Record<string, string>;
  /**
   * By VPC endpoint ID (from the stack's outputs): the services and resources associated with it. An endpoint
   * missing here could not be read; doctor reports that on its own, so its services are not checked.
   */
  associations: Record<string, readonly EndpointAssociation[]>;
}

/** The VPC endpoint IDs the Ingress stack publishes, by network: what doctor describes. */
export function endpointIds(env: Environment, outputs: Record<string, string>): Record<string, string> {
  const networks = [...(env.serviceNetworkEndpoints ?? []), ...(env.directClients?.serviceNetworks ?? [])];
  return Object.fromEntries(
    networks.flatMap((network) => {
      const id = outputs[serviceNetworkEndpointOutput(serviceNetworkIdOf(network))];
      return id ? [[serviceNetworkIdOf(network), id]] : [];
    }),
  );
}

type Check = (ok: boolean, what: string, fix: string, warning?: boolean) => void;

export function serviceNetworkFindings(config: Config, env: Environment, state: EndpointState): Finding[] {
  const networks = [
    ...new Set(
      [...(env.serviceNetworkEndpoints ?? []), ...(env.directClients?.serviceNetworks ?? [])].map(
        serviceNetworkIdOf,
      ),
    ),
  ];
  if (networks.length === 0) return [];
  const findings: Finding[] = [];
  const check: Check = (ok, what, fix, warning = false) =>
    findings.push(ok ? { ok, check: what } : { ok, check: what, fix, ...(warning ? { warning } : {}) });
  const deploy = `deploy ${env.name} (merge to main, or cdk deploy of its Ingress stack)`;
  const ids = state.ingressOutputs ? endpointIds(env, state.ingressOutputs) : {};

  for (const network of networks) {
    check(ids[network] !== undefined, `service-network endpoint for ${network}`, deploy);
  }
  checkForwarding(config, env, state, ids, check);
  if (env.directClients) {
    check(
      state.ingressOutputs?.[INGRESS_OUTPUTS.directClientResolverAddresses] !== undefined,
      'Resolver inbound endpoint for direct clients',
      deploy,
    );
    checkDirectClientRoutes(env, env.directClients.cidrs, check);
  }
  return findings;
}

/** Each service reached through an endpoint is forwarded to a name that endpoint answers to. */
function checkForwarding(
  config: Config,
  env: Environment,
  state: EndpointState,
  ids: Record<string, string>,
  check: Check,
): void {
  for (const service of config.services.services) {
    if (!service.serviceNetwork || serviceNetworkPath(env, service.serviceNetwork) !== 'endpoint') continue;
    const network = serviceNetworkIdOf(service.serviceNetwork);
    const endpoint = ids[network];
    const associations = endpoint ? state.associations[endpoint] : undefined;
    if (!endpoint || !associations) continue;
    const names = associations.flatMap((a) => [a.dnsName, a.privateDnsName].filter((n) => n !== undefined));
    const name = upstreamNameIn(service, env.name);
    check(
      names.includes(name),
      `${service.name} is forwarded to ${name}, a name of the endpoint for ${network}`,
      names.length === 0
        ? `no service of ${network} is associated with endpoint ${endpoint} yet: is ${service.name} in that network (and the RAM share accepted)?`
        : `the endpoint's names are ${names.join(', ')}: add ${env.name} with ${service.name}'s name to its endpointDomains in services.yaml`,
    );
  }
}

// Answers to direct clients leave through the proxy subnets' route tables: a Transit Gateway route per client
// network, unless they arrive some other way (a virtual private gateway's propagated routes).
function checkDirectClientRoutes(env: Environment, cidrs: readonly string[], check: Check): void {
  const routes = (env.network?.routes ?? []).map(parseCidr).flatMap((r) => (r.ok ? [r.cidr] : []));
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    check(
      parsed.ok && routes.some((route) => containsCidr(route, parsed.cidr)),
      `direct clients ${cidr} have a route back through network.routes`,
      `add ${cidr} to network.routes (Transit Gateway), or make sure a virtual private gateway propagates it to the proxy subnets' route tables`,
      true,
    );
  }
}
