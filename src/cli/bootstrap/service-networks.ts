// The AWS CLI's side of doctor's service-network checks: the call that lists an endpoint's associations and its
// answer as the checks (src/bootstrap-plan/service-networks.ts) read it.
import type { EndpointAssociation } from '../../bootstrap-plan/service-networks.ts';

/** The AWS CLI call whose VpcEndpointAssociations (DnsEntry, PrivateDnsEntry) fill EndpointState.associations. */
export function describeAssociationsArgv(endpointId: string): string[] {
  return ['ec2', 'describe-vpc-endpoint-associations', '--vpc-endpoint-ids', endpointId];
}

/** The answer of describeAssociationsArgv (JSON), as EndpointState.associations holds it. */
export function parseAssociations(response: {
  VpcEndpointAssociations?: {
    AssociatedResourceArn?: string;
    DnsEntry?: { DnsName?: string };
    PrivateDnsEntry?: { DnsName?: string };
  }[];
}): EndpointAssociation[] {
  return (response.VpcEndpointAssociations ?? []).map((association) => ({
    associatedResourceArn: association.AssociatedResourceArn,
    dnsName: association.DnsEntry?.DnsName,
    privateDnsName: association.PrivateDnsEntry?.DnsName,
  }));
}
