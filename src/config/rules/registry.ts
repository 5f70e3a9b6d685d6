// Every rule, in the order their findings are reported, and the one function that runs them and locates findings.
// A rule runs when the files it reads passed their schema, so a broken services.yaml does not hide allowlist findings.
import type { Diagnostic } from '../diagnostics.ts';
import type { ExpiredEntries } from '../expiry.ts';
import { locate, locateKey, type ParsedFile } from '../locate.ts';
import type { Config, ConfigPart } from '../model.ts';
import { anyAddress } from './allowlist/any-address.ts';
import { cidrForm } from './allowlist/cidr-form.ts';
import { expiry } from './allowlist/expiry.ts';
import { neverAClient } from './allowlist/never-a-client.ts';
import { overlap } from './allowlist/overlap.ts';
import { createRuleContext } from './context.ts';
import { alarmCpu } from './cross-file/alarm-cpu.ts';
import { entryServices } from './cross-file/entry-services.ts';
import { latticeRegion } from './cross-file/lattice-region.ts';
import { serviceNetworks } from './cross-file/service-networks.ts';
import { vpcAllowlisted } from './cross-file/vpc-allowlisted.ts';
import { alarmTopic } from './deployment/alarm-topic.ts';
import { availabilityZones } from './deployment/availability-zones.ts';
import { hostedZones } from './deployment/hosted-zones.ts';
import { region } from './deployment/region.ts';
import { serviceNetworkEndpoints } from './deployment/service-network-endpoints.ts';
import { uniqueEnvironments } from './deployment/unique-environments.ts';
import { vpcCidr } from './deployment/vpc-cidr.ts';
import { zoneIds } from './deployment/zone-ids.ts';
import type { Rule } from './rule.ts';
import { fargateSize } from './scaling/fargate-size.ts';
import { taskCount } from './scaling/task-count.ts';
import { latticeDomain } from './services/lattice-domain.ts';
import { ports } from './services/ports.ts';
import { uniqueNames } from './services/unique-names.ts';

export const RULES: readonly Rule[] = [
  cidrForm,
  anyAddress,
  overlap,
  neverAClient,
  expiry,
  uniqueNames,
  latticeDomain,
  ports,
  taskCount,
  fargateSize,
  uniqueEnvironments,
  region,
  vpcCidr,
  availabilityZones,
  zoneIds,
  alarmTopic,
  hostedZones,
  serviceNetworkEndpoints,
  latticeRegion,
  serviceNetworks,
  vpcAllowlisted,
  alarmCpu,
  entryServices,
];

export function checkRules(
  config: Partial<Config>,
  files: Partial<Record<ConfigPart, ParsedFile>>,
  today: string,
  expired: ExpiredEntries = 'refuse',
): Diagnostic[] {
  const context = createRuleContext(files, today, expired);
  return RULES.flatMap((rule) => rule.run(config, context)).map((finding) => {
    const { part, path, key, ...rest } = finding;
    const file = files[part];
    const position = !file
      ? { line: 1, column: 1 }
      : key !== undefined
        ? locateKey(file, path, key)
        : locate(file, path);
    return { ...rest, file: file?.path ?? part, ...position };
  });
}
