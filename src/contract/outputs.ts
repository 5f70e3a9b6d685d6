// CloudFormation output names the stacks publish and the deploy actions read (deploy-infra, rollout, smoke).
// Changing one is a contract change: the actions and docs/infrastructure.md list the same names.

export const INGRESS_OUTPUTS = {
  /** DNS name of the internet-facing NLB (modes public and both). */
  publicEndpoint: 'PublicLoadBalancerDnsName',
  /** DNS name of the internal NLB (modes private and both). */
  privateEndpoint: 'PrivateLoadBalancerDnsName',
  cluster: 'ClusterName',
  service: 'ServiceName',
  repositoryUri: 'RepositoryUri',
  /** The value of the ImageTag parameter the stack was last deployed with. */
  imageTag: 'DeployedImageTag',
  logGroup: 'LogGroupName',
  vpcId: 'VpcId',
  /** Network ACL of the load balancers' subnets, where `lattice-ingress revoke` writes its denies. */
  revocationAclId: 'RevocationNetworkAclId',
  /** Comma-separated route table ids of the proxy subnets, for routes to client networks (private mode). */
  proxyRouteTableIds: 'ProxyRouteTableIds',
  /** Comma-separated addresses of the Route 53 Resolver inbound endpoint for direct clients (directClients). */
  directClientResolverAddresses: 'DirectClientResolverAddresses',
} as const;

/** Output with the VPC endpoint ID of the service-network endpoint for one network (sn-…). */
export function serviceNetworkEndpointOutput(networkId: string): string {
  return `ServiceNetworkEndpoint${networkId.replace(/^sn-/, '')}`;
}

export const REGISTRY_OUTPUTS = {
  repositoryName: 'RepositoryName',
  repositoryUri: 'RepositoryUri',
  repositoryArn: 'RepositoryArn',
} as const;

export const ACCESS_OUTPUTS = {
  /** Role the main-branch workflows assume (variable DEPLOY_ROLE_ARN of the GitHub environment). */
  deployRoleArn: 'DeployRoleArn',
  /** Read-only role pull requests assume for `cdk diff` (repository variable PREVIEW_ROLE_ARN_<ENV>). */
  previewRoleArn: 'PreviewRoleArn',
  /** Role the signed smoke checks assume: arn:<partition>:iam::<account>:role/lattice-ingress-<env>-smoke. */
  smokeRoleArn: 'SmokeRoleArn',
  oidcProviderArn: 'OidcProviderArn',
} as const;

export const EXAMPLE_OUTPUTS = {
  serviceNetworkId: 'ServiceNetworkId',
  serviceDnsName: 'ExampleServiceDnsName',
  customDomain: 'ExampleServiceCustomDomain',
} as const;
