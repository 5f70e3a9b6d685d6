// Checks that need more than one value: CIDR form and overlaps, expiry, uniqueness, Fargate sizes, cross-file
// references. Each rule is a small pure function from the (schema-valid) parts of the config to findings that name
// a value path; checkRules turns paths into file:line:column. A rule runs when the files it reads passed their
// schema, so a broken services.yaml does not hide allowlist findings.
import {
  type Cidr,
  canonicalCidr,
  compareCidrs,
  containsCidr,
  ipv4MappedEquivalent,
  isPrivateIpv4,
  overlaps,
  parseCidr,
  specialPurposeRange,
} from './cidr.ts';
import type { Diagnostic, Severity } from './diagnostics.ts';
import { locate, locateKey, type ParseResult, type ValuePath } from './load.ts';
import {
  type Allowlist,
  type Config,
  type ConfigPart,
  FARGATE_SIZES,
  githubEnvironment,
  LATTICE_DNS_NAME,
  upstreamName,
} from './model.ts';

/** Entries expiring within this many days are reported as warnings. */
export const EXPIRY_WARNING_DAYS = 14;
/** Accepted VPC sizes: big enough for three subnets per tier, small enough to be a deliberate choice. */
export const VPC_PREFIX_RANGE = { min: 16, max: 24 } as const;

const CIDR_EXAMPLE = 'write address/prefix, e.g. 198.51.100.0/24 or 2001:db8:100::/48';

export interface Finding {
  severity: Severity;
  part: ConfigPart;
  path: ValuePath;
  /** Point at this key of the mapping at path instead of at the value. */
  key?: string;
  code: string;
  message: string;
  hint?: string;
}

/**
 * What the configuration is checked for: a pull request (every finding counts) or a deploy or rollback of what is
 * already merged, where an expired allowlist entry must not block an emergency rollback (it is left out instead).
 */
export type ValidationPurpose = 'pull-request' | 'deploy';

export interface RuleContext {
  now: Date;
  purpose: ValidationPurpose;
  /** Line of a value, for messages that refer to another entry ("see line 12"). */
  lineOf(part: ConfigPart, path: ValuePath): number;
}

export type Rule = (config: Partial<Config>, context: RuleContext) => Finding[];

// ---- allowlist.yaml --------------------------------------------------------------------------------------------

interface ParsedEntry {
  index: number;
  cidr: Cidr;
}

/** Path of an allowlist entry's field; built only when there is something to report (rules see every entry). */
function entryPath(index: number, field: string): ValuePath {
  return ['entries', index, field];
}

interface ParsedAllowlist {
  valid: ParsedEntry[];
  findings: Finding[];
  sorted?: ParsedEntry[];
}

const parsedCache = new WeakMap<Allowlist, ParsedAllowlist>();

/** Parses every entry once (several rules need the networks) and keeps the form findings. */
function parseEntries(allowlist: Allowlist): ParsedAllowlist {
  const cached = parsedCache.get(allowlist);
  if (cached) return cached;
  const valid: ParsedEntry[] = [];
  const findings: Finding[] = [];
  allowlist.entries.forEach((entry, index) => {
    const parsed = parseCidr(entry.cidr);
    if (!parsed.ok) {
      findings.push(
        error(
          'allowlist',
          entryPath(index, 'cidr'),
          'cidr-invalid',
          `${entry.cidr} is not a valid CIDR: ${parsed.reason}`,
          CIDR_EXAMPLE,
        ),
      );
      return;
    }
    const mapped = ipv4MappedEquivalent(parsed.cidr);
    if (mapped) {
      findings.push(
        error(
          'allowlist',
          entryPath(index, 'cidr'),
          'cidr-ipv4-mapped',
          `${entry.cidr} is an IPv4-mapped IPv6 network; IPv4 clients arrive as IPv4 and never match it`,
          `write ${mapped}`,
        ),
      );
      return;
    }
    const canonical = canonicalCidr(parsed.cidr);
    if (canonical !== entry.cidr) {
      const hostBits = parsed.cidr.address !== parsed.cidr.network;
      findings.push(
        error(
          'allowlist',
          entryPath(index, 'cidr'),
          'cidr-not-canonical',
          hostBits
            ? `${entry.cidr} has host bits set: the network it describes is ${canonical}`
            : `${entry.cidr} is not written in canonical form (lowercase, no leading zeros, longest zero run as ::)`,
          hostBits
            ? `write ${canonical}, or /${parsed.cidr.family === 4 ? 32 : 128} if only that one address was meant`
            : `write ${canonical}`,
        ),
      );
    }
    valid.push({ index, cidr: parsed.cidr });
  });
  const result: ParsedAllowlist = { valid, findings };
  parsedCache.set(allowlist, result);
  return result;
}

const cidrForm: Rule = ({ allowlist }) => (allowlist ? parseEntries(allowlist).findings : []);

const anyAddress: Rule = ({ allowlist }) => {
  if (!allowlist) return [];
  const everything = parseEntries(allowlist).valid.filter((entry) => entry.cidr.prefix === 0);
  if (allowlist.allowAnyAddress) {
    return everything.length > 0
      ? []
      : [
          warning(
            'allowlist',
            [],
            'allow-any-address-unused',
            'allowAnyAddress is true but no entry is 0.0.0.0/0 or ::/0',
            'set allowAnyAddress: false so that an open entry cannot be added by accident later',
            'allowAnyAddress',
          ),
        ];
  }
  const hint =
    'list the client networks instead; if an open proxy really is intended, set allowAnyAddress: true';
  const findings = everything.map(({ index, cidr }) =>
    error(
      'allowlist',
      entryPath(index, 'cidr'),
      'cidr-any-address',
      `${canonicalCidr(cidr)} allows every ${familyName(cidr.family)} address: the fleet would be an open proxy`,
      hint,
    ),
  );
  // 0.0.0.0/1 plus 128.0.0.0/1 is 0.0.0.0/0 too.
  for (const family of [4, 6] as const) {
    const entries = sortedEntries(allowlist).filter((entry) => entry.cidr.family === family);
    const first = entries[0];
    if (!first || everything.some((e) => e.cidr.family === family) || !coversFamily(entries)) continue;
    findings.push(
      error(
        'allowlist',
        entryPath(first.index, 'cidr'),
        'cidr-any-address',
        `together, the ${entries.length} ${familyName(family)} entries cover every ${familyName(family)} address: the fleet would be an open proxy`,
        hint,
      ),
    );
  }
  return findings;
};

function familyName(family: 4 | 6): string {
  return family === 4 ? 'IPv4' : 'IPv6';
}

/** Whether networks sorted by address leave no gap from the first address of the family to the last. */
function coversFamily(sorted: readonly ParsedEntry[]): boolean {
  let reach = 0n;
  for (const { cidr } of sorted) {
    if (cidr.network > reach) return false;
    if (cidr.last + 1n > reach) reach = cidr.last + 1n;
  }
  return reach === 1n << BigInt(sorted[0]?.cidr.family === 4 ? 32 : 128);
}

/** Valid entries by family, network, then broader first (and file order among equals); computed once. */
function sortedEntries(allowlist: Allowlist): ParsedEntry[] {
  const parsed = parseEntries(allowlist);
  parsed.sorted ??= [...parsed.valid].sort((a, b) => compareCidrs(a.cidr, b.cidr) || a.index - b.index);
  return parsed.sorted;
}

/**
 * Duplicates and entries inside a broader entry, in O(n log n): sorted by family, network, then broader first,
 * the entries containing the current one are exactly a stack of the previous ones.
 */
const overlapping: Rule = ({ allowlist }, { lineOf }) => {
  if (!allowlist) return [];
  const sorted = sortedEntries(allowlist);
  const findings: Finding[] = [];
  const enclosing: ParsedEntry[] = [];
  const lastDay = (entry: ParsedEntry) => allowlist.entries[entry.index]?.expires ?? '9999-12-31';
  for (const entry of sorted) {
    while (enclosing.length > 0 && !containsCidr((enclosing.at(-1) as ParsedEntry).cidr, entry.cidr))
      enclosing.pop();
    const parent = enclosing.at(-1);
    if (parent && parent.cidr.prefix === entry.cidr.prefix) {
      findings.push(
        error(
          'allowlist',
          entryPath(entry.index, 'cidr'),
          'cidr-duplicate',
          `${canonicalCidr(entry.cidr)} is already listed on line ${lineOf('allowlist', ['entries', parent.index])}`,
          'remove one of the two entries (merge their descriptions if both matter)',
        ),
      );
      continue;
    }
    // Redundant only if a broader entry lasts at least as long; otherwise the narrower one still has a purpose.
    const cover = enclosing.find((broader) => lastDay(broader) >= lastDay(entry));
    if (cover) {
      findings.push(
        warning(
          'allowlist',
          entryPath(entry.index, 'cidr'),
          'cidr-covered',
          `${canonicalCidr(entry.cidr)} is inside ${canonicalCidr(cover.cidr)} (line ${lineOf('allowlist', ['entries', cover.index])}), so it has no effect`,
          'remove the narrower entry, or narrow the broader one',
        ),
      );
    }
    enclosing.push(entry);
  }
  return findings;
};

const neverAClient: Rule = ({ allowlist }) => {
  if (!allowlist) return [];
  return parseEntries(allowlist).valid.flatMap(({ index, cidr }) => {
    const range = specialPurposeRange(cidr);
    return range
      ? [
          warning(
            'allowlist',
            entryPath(index, 'cidr'),
            'cidr-never-a-client',
            `${canonicalCidr(cidr)} is inside ${range.text} (${range.what}); no client connects from there`,
            'check the address; remove the entry if it is a mistake',
          ),
        ]
      : [];
  });
};

/** The warning a deploy gives for an expired entry it leaves out. */
export const EXPIRED_LEFT_OUT = 'entry-expired-left-out';

/** An entry whose last day (UTC) is before today's. */
export function isExpired(entry: { expires?: string | undefined }, now: Date): boolean {
  return (
    entry.expires !== undefined &&
    isCalendarDate(entry.expires) &&
    entry.expires < now.toISOString().slice(0, 10)
  );
}

const expiry: Rule = ({ allowlist }, { now, purpose }) => {
  if (!allowlist) return [];
  const today = now.toISOString().slice(0, 10);
  const soon = new Date(now.getTime() + EXPIRY_WARNING_DAYS * 86_400_000).toISOString().slice(0, 10);
  const findings: Finding[] = [];
  allowlist.entries.forEach((entry, index) => {
    if (entry.expires === undefined) return;
    if (!isCalendarDate(entry.expires)) {
      findings.push(
        error(
          'allowlist',
          entryPath(index, 'expires'),
          'date-invalid',
          `${entry.expires} is not a calendar date`,
          'write YYYY-MM-DD',
        ),
      );
    } else if (entry.expires < today && purpose === 'deploy') {
      findings.push(
        warning(
          'allowlist',
          entryPath(index, 'expires'),
          EXPIRED_LEFT_OUT,
          `${entry.cidr} (${entry.description}) expired on ${entry.expires}; it is left out of what is deployed (pull requests still fail on it)`,
          'remove the entry, or move expires forward once the owner confirms the access is still needed',
        ),
      );
    } else if (entry.expires < today) {
      findings.push(
        error(
          'allowlist',
          entryPath(index, 'expires'),
          'entry-expired',
          `${entry.cidr} (${entry.description}) expired on ${entry.expires}`,
          'remove the entry, or move expires forward once the owner confirms the access is still needed',
        ),
      );
    } else if (entry.expires <= soon) {
      findings.push(
        warning(
          'allowlist',
          entryPath(index, 'expires'),
          'entry-expiring',
          `${entry.cidr} (${entry.description}) expires on ${entry.expires}, within ${EXPIRY_WARNING_DAYS} days`,
          'ask the owner whether the access is still needed; renew or remove it before then',
        ),
      );
    }
  });
  return findings;
};

export function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

// ---- services.yaml ---------------------------------------------------------------------------------------------

/** Reports every value that repeats an earlier one, pointing at the repeat and naming the first. */
function duplicates<T>(
  part: ConfigPart,
  items: readonly T[],
  field: string,
  keyOf: (item: T) => string | undefined,
  code: string,
  what: string,
  lineOf: RuleContext['lineOf'],
  severity: Severity = 'error',
): Finding[] {
  const root = part === 'services' ? 'services' : 'environments';
  const first = new Map<string, number>();
  const findings: Finding[] = [];
  items.forEach((item, index) => {
    const value = keyOf(item);
    if (value === undefined) return;
    const earlier = first.get(value);
    if (earlier === undefined) {
      first.set(value, index);
      return;
    }
    findings.push({
      severity,
      part,
      path: [root, index, field],
      code,
      message: `${what} ${value} is already used on line ${lineOf(part, [root, earlier])}`,
      hint: `each ${what} must be unique; rename or remove one`,
    });
  });
  return findings;
}

const uniqueServices: Rule = ({ services }, { lineOf }) => {
  if (!services) return [];
  const list = services.services;
  return [
    ...duplicates('services', list, 'name', (s) => s.name, 'service-name-duplicate', 'service name', lineOf),
    ...duplicates('services', list, 'domain', (s) => s.domain, 'domain-duplicate', 'domain', lineOf),
    ...duplicates(
      'services',
      list,
      'latticeDomain',
      (s) => s.latticeDomain,
      'lattice-domain-shared',
      'latticeDomain',
      lineOf,
      'warning',
    ),
  ];
};

const serviceDetails: Rule = ({ services }) => {
  if (!services) return [];
  return services.services.flatMap((service, index) => {
    const findings: Finding[] = [];
    const repeated = service.ports.find((port, i) => service.ports.indexOf(port) !== i);
    if (repeated !== undefined) {
      findings.push(
        error(
          'services',
          ['services', index, 'ports'],
          'port-duplicate',
          `port ${repeated} is listed twice`,
          'list it once',
        ),
      );
    }
    if (service.latticeDomain !== undefined && service.latticeDomain === service.domain) {
      findings.push(
        warning(
          'services',
          ['services', index, 'latticeDomain'],
          'lattice-domain-redundant',
          'latticeDomain is the same as domain',
          'omit latticeDomain when clients use the Lattice-generated name',
        ),
      );
    }
    return findings;
  });
};

// ---- scaling.yaml ----------------------------------------------------------------------------------------------

const scalingBounds: Rule = ({ scaling }) => {
  if (!scaling) return [];
  const findings: Finding[] = [];
  if (scaling.minTasks > scaling.maxTasks) {
    findings.push(
      error(
        'scaling',
        ['minTasks'],
        'scaling-min-above-max',
        `minTasks (${scaling.minTasks}) is greater than maxTasks (${scaling.maxTasks})`,
        'make minTasks <= maxTasks',
      ),
    );
  }
  const desired = scaling.desiredTasks;
  if (desired !== undefined && (desired < scaling.minTasks || desired > scaling.maxTasks)) {
    findings.push(
      error(
        'scaling',
        ['desiredTasks'],
        'scaling-desired-out-of-range',
        `desiredTasks (${desired}) is outside minTasks..maxTasks (${scaling.minTasks}..${scaling.maxTasks})`,
        'choose a value between minTasks and maxTasks, or omit desiredTasks',
      ),
    );
  }
  if (scaling.minTasks < 2) {
    findings.push(
      warning(
        'scaling',
        ['minTasks'],
        'scaling-single-task',
        'minTasks is 1: a task replacement or an Availability Zone failure leaves no proxy running',
        'use minTasks: 2 or more',
      ),
    );
  }
  const memory = FARGATE_SIZES[scaling.taskCpu] ?? [];
  if (!memory.includes(scaling.taskMemoryMiB)) {
    const fits = Object.entries(FARGATE_SIZES)
      .filter(([, sizes]) => sizes.includes(scaling.taskMemoryMiB))
      .map(([cpu]) => cpu);
    findings.push(
      error(
        'scaling',
        ['taskMemoryMiB'],
        'fargate-size',
        `Fargate has no task size with taskCpu ${scaling.taskCpu} and taskMemoryMiB ${scaling.taskMemoryMiB}`,
        `with taskCpu ${scaling.taskCpu} use one of ${memory.join(', ')}${fits.length ? `; ${scaling.taskMemoryMiB} MiB fits taskCpu ${fits.join(' or ')}` : ''}`,
      ),
    );
  }
  return findings;
};

// ---- deployment.yaml -------------------------------------------------------------------------------------------

const uniqueEnvironments: Rule = ({ deployment }, { lineOf }) => {
  if (!deployment) return [];
  const list = deployment.environments;
  return [
    ...duplicates(
      'deployment',
      list,
      'name',
      (e) => e.name,
      'environment-duplicate',
      'environment name',
      lineOf,
    ),
    // Two environments sharing a GitHub environment would share protection rules and deployment history.
    ...duplicates(
      'deployment',
      list,
      'github',
      (e) => githubEnvironment(e),
      'github-environment-duplicate',
      'GitHub environment',
      lineOf,
    ),
  ];
};

const vpcCidr: Rule = ({ deployment }) => {
  if (!deployment) return [];
  return deployment.environments.flatMap((env, index) => {
    const path = ['environments', index, 'vpcCidr'];
    const parsed = parseCidr(env.vpcCidr);
    if (!parsed.ok) {
      return [
        error(
          'deployment',
          path,
          'cidr-invalid',
          `${env.vpcCidr} is not a valid CIDR: ${parsed.reason}`,
          CIDR_EXAMPLE,
        ),
      ];
    }
    const { cidr } = parsed;
    if (cidr.family !== 4) {
      return [
        error(
          'deployment',
          path,
          'vpc-cidr-family',
          'vpcCidr must be IPv4',
          'use a private IPv4 range such as 10.42.0.0/20',
        ),
      ];
    }
    const findings: Finding[] = [];
    const canonical = canonicalCidr(cidr);
    if (canonical !== env.vpcCidr) {
      findings.push(
        error(
          'deployment',
          path,
          'cidr-not-canonical',
          `${env.vpcCidr} has host bits set: the network is ${canonical}`,
          `write ${canonical}`,
        ),
      );
    }
    if (cidr.prefix < VPC_PREFIX_RANGE.min || cidr.prefix > VPC_PREFIX_RANGE.max) {
      findings.push(
        error(
          'deployment',
          path,
          'vpc-cidr-size',
          `vpcCidr /${cidr.prefix} is outside /${VPC_PREFIX_RANGE.min}../${VPC_PREFIX_RANGE.max}`,
          `use a prefix from /${VPC_PREFIX_RANGE.min} (65,536 addresses) to /${VPC_PREFIX_RANGE.max} (256); /20 suits most fleets`,
        ),
      );
    }
    if (!isPrivateIpv4(cidr)) {
      findings.push(
        error(
          'deployment',
          path,
          'vpc-cidr-not-private',
          `vpcCidr ${env.vpcCidr} is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`,
          'use an RFC 1918 range that does not clash with networks your clients route to',
        ),
      );
    }
    return findings;
  });
};

const availabilityZonesInRegion: Rule = ({ deployment }) => {
  if (!deployment) return [];
  return deployment.environments.flatMap((env, index) =>
    (env.availabilityZones ?? []).flatMap((zone, z, zones) => {
      const path = ['environments', index, 'availabilityZones', z];
      if (zone.slice(0, -1) !== env.region) {
        return [
          error(
            'deployment',
            path,
            'az-region-mismatch',
            `${zone} is not in the environment's Region ${env.region}`,
            `use zones of ${env.region}, e.g. ${env.region}a`,
          ),
        ];
      }
      return zones.indexOf(zone) !== z
        ? [error('deployment', path, 'az-duplicate', `${zone} is listed twice`, 'list three different zones')]
        : [];
    }),
  );
};

const hostedZonesMatchMode: Rule = ({ deployment }) => {
  if (!deployment) return [];
  return deployment.environments.flatMap((env, index) => {
    const unused =
      env.mode === 'private' && env.hostedZones?.public
        ? 'public'
        : env.mode === 'public' && env.hostedZones?.private
          ? 'private'
          : undefined;
    if (!unused) return [];
    return [
      warning(
        'deployment',
        ['environments', index, 'hostedZones', unused],
        'hosted-zone-unused',
        `the ${unused} hosted zone is not used: mode is ${env.mode}, so there is no ${unused === 'public' ? 'internet-facing' : 'internal'} load balancer`,
        `remove hostedZones.${unused}, or set mode: both`,
      ),
    ];
  });
};

// ---- across files ----------------------------------------------------------------------------------------------

/** Lattice services are regional: the proxy can only reach services in the Region it runs in. */
const latticeRegion: Rule = ({ services, deployment }) => {
  if (!services || !deployment) return [];
  const regions = [...new Set(deployment.environments.map((env) => env.region))];
  return services.services.flatMap((service, index) => {
    const upstream = upstreamName(service);
    const region = LATTICE_DNS_NAME.exec(upstream)?.groups?.region;
    if (!region || regions.includes(region)) return [];
    const field = service.latticeDomain !== undefined ? 'latticeDomain' : 'domain';
    return [
      error(
        'services',
        ['services', index, field],
        'lattice-region-mismatch',
        `${field} is a Lattice service in ${region}, but the fleet is deployed only in ${regions.join(', ')}`,
        `deploy an environment in ${region}, or use the service's name from a Region the fleet runs in`,
      ),
    ];
  });
};

/** The VPC's own addresses are trusted to send PROXY protocol headers; allowlisting them is almost always a slip. */
const vpcAllowlisted: Rule = ({ allowlist, deployment }, { lineOf }) => {
  if (!allowlist || !deployment) return [];
  const entries = parseEntries(allowlist).valid;
  return deployment.environments.flatMap((env, index) => {
    const parsed = parseCidr(env.vpcCidr);
    if (!parsed.ok) return [];
    const clash = entries.find((entry) => overlaps(entry.cidr, parsed.cidr));
    if (!clash) return [];
    return [
      warning(
        'deployment',
        ['environments', index, 'vpcCidr'],
        'vpc-cidr-allowlisted',
        `vpcCidr ${env.vpcCidr} overlaps allowlist entry ${canonicalCidr(clash.cidr)} (allowlist.yaml line ${lineOf('allowlist', ['entries', clash.index])})`,
        'clients never come from the proxy VPC itself; narrow the allowlist entry or choose another VPC range',
      ),
    ];
  });
};

export const RULES: readonly Rule[] = [
  cidrForm,
  anyAddress,
  overlapping,
  neverAClient,
  expiry,
  uniqueServices,
  serviceDetails,
  scalingBounds,
  uniqueEnvironments,
  vpcCidr,
  availabilityZonesInRegion,
  hostedZonesMatchMode,
  latticeRegion,
  vpcAllowlisted,
];

export function checkRules(
  config: Partial<Config>,
  files: ParseResult['files'],
  now: Date,
  purpose: ValidationPurpose = 'pull-request',
): Diagnostic[] {
  const context: RuleContext = {
    now,
    purpose,
    lineOf: (part, path) => {
      const file = files[part];
      return file ? locate(file, path).line : 1;
    },
  };
  return RULES.flatMap((rule) => rule(config, context)).map((finding) => {
    const file = files[finding.part];
    const position = !file
      ? { line: 1, column: 1 }
      : finding.key !== undefined
        ? locateKey(file, finding.path, finding.key)
        : locate(file, finding.path);
    const { part, path, key, ...rest } = finding;
    return { ...rest, file: file?.path ?? part, ...position };
  });
}

function error(part: ConfigPart, path: ValuePath, code: string, message: string, hint?: string): Finding {
  return { severity: 'error', part, path, code, message, hint };
}

function warning(
  part: ConfigPart,
  path: ValuePath,
  code: string,
  message: string,
  hint?: string,
  key?: string,
): Finding {
  return { severity: 'warning', part, path, code, message, hint, key };
}
