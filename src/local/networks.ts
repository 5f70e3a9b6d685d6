// The service networks of the local stack. In AWS the ingress VPC reaches the network it is associated with through
// the association (Lattice names answered by the VPC resolver) and every further network through a service-network
// endpoint (names answered from the endpoint's own zone, addresses in the proxy subnets). Locally each network is a
// block of loopback addresses for its stand-ins and a DNS zone of its own, all served by the one DNS stand-in the
// proxy's `resolver` points at, as the VPC resolver serves both in AWS. Pure: services in, zones out.
import { type Service, serviceNetworkIdOf, upstreamNameIn } from '../config/model.ts';

/** The environment name the local stack renders for: endpointDomains never names it, so names are the configured ones. */
export const LOCAL_ENVIRONMENT = 'local';

export interface LocalZone {
  /** 'association', or the sn-… ID of a further network reached through its endpoint. */
  network: string;
  /** Upstream name -> the stand-in address of the service behind it. */
  records: Map<string, string>;
  /** Every service of the zone, with its stand-in address. */
  services: { service: Service; address: string }[];
}

/** Association stand-ins from 127.0.1.1; each further network's stand-ins from 127.0.200.1, 127.0.210.1, ... */
const ASSOCIATION_BLOCK = 1;
const FIRST_ENDPOINT_BLOCK = 200;
const ENDPOINT_BLOCK_STRIDE = 10;

/** Loopback address of the i-th stand-in of a network's block: 127.0.<block>.<1..254>, then the next block. */
export function standInAddress(index: number, block = ASSOCIATION_BLOCK): string {
  return `127.0.${block + Math.floor(index / 254)}.${1 + (index % 254)}`;
}

/** The zones the local DNS stand-in serves: the association's first, then one per further network in config order. */
export function localZones(services: readonly Service[]): LocalZone[] {
  const networks = [
    'association',
    ...new Set(services.flatMap((s) => (s.serviceNetwork ? [serviceNetworkIdOf(s.serviceNetwork)] : []))),
  ];
  return networks.map((network, n) => {
    const members = services.filter((service) =>
      network === 'association'
        ? service.serviceNetwork === undefined
        : service.serviceNetwork !== undefined && serviceNetworkIdOf(service.serviceNetwork) === network,
    );
    const block = n === 0 ? ASSOCIATION_BLOCK : FIRST_ENDPOINT_BLOCK + (n - 1) * ENDPOINT_BLOCK_STRIDE;
    const placed = members.map((service, i) => ({ service, address: standInAddress(i, block) }));
    return {
      network,
      services: placed,
      records: new Map(
        placed.map(({ service, address }) => [upstreamNameIn(service, LOCAL_ENVIRONMENT), address]),
      ),
    };
  });
}
