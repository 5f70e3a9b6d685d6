// Rendering over random valid configurations: nginx 1.22 accepts every one, and the routing maps hold exactly the
// configured names. Plus a check on the templates themselves: no HTML-escaping double braces.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { formatAddress } from '../../src/config/cidr.ts';
import {
  AllowlistSchema,
  type Config,
  type Environment,
  ServicesSchema,
  upstreamName,
} from '../../src/config/model.ts';
import { testNginxConfig } from '../../src/local/nginx.ts';
import { MAIN_FILE, renderProxy, renderTargetFor, writeRendered } from '../../src/render/render.ts';
import { templateDir } from '../../src/render/templates.ts';
import { exampleConfig } from './example-config.ts';

let example: Config;
let dir: string;
beforeAll(async () => {
  example = await exampleConfig();
  dir = await mkdtemp(join(tmpdir(), 'lattice-render-property-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const label = fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,20}[a-z0-9])?$/);
const services = fc
  .uniqueArray(
    fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}[a-z0-9]$/),
      labels: fc.array(label, { minLength: 1, maxLength: 4 }),
      lattice: fc.option(fc.stringMatching(/^[0-9a-f]{17}$/), { nil: undefined }),
      ports: fc.constantFrom([443], [80], [80, 443]),
    }),
    { selector: (s) => s.name, minLength: 1, maxLength: 12 },
  )
  .map((list) =>
    ServicesSchema.parse({
      services: list.map(({ name, labels, lattice, ports }) => ({
        name,
        domain: [name, ...labels, 'example'].join('.'),
        ...(lattice ? { latticeDomain: `${name}-${lattice}.7d67968.vpc-lattice-svcs.eu-west-1.on.aws` } : {}),
        ports,
      })),
    }),
  );

/** Canonical networks: a random address with its host bits cleared. */
const network = fc.oneof(
  fc
    .tuple(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min: 0, max: 32 }))
    .map(
      ([value, prefix]) =>
        `${formatAddress(4, (value >> BigInt(32 - prefix)) << BigInt(32 - prefix))}/${prefix}`,
    ),
  fc
    .tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }))
    .map(
      ([value, prefix]) =>
        `${formatAddress(6, (value >> BigInt(128 - prefix)) << BigInt(128 - prefix))}/${prefix}`,
    ),
);
const allowlist = fc.uniqueArray(network, { maxLength: 50 }).map((cidrs) =>
  AllowlistSchema.parse({
    allowAnyAddress: true,
    entries: cidrs.map((cidr) => ({ cidr, description: 'random entry' })),
  }),
);

const address = (index: number) => `127.0.${Math.floor(index / 250)}.${(index % 250) + 1}`;

test('nginx -t accepts the rendering of random valid configurations', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(services, allowlist, async (services, allowlist) => {
      const config: Config = { ...example, services, allowlist };
      const runtime = join(dir, String(run++));
      const target = {
        ...renderTargetFor(example.deployment.environments[0] as Environment),
        flavour: 'debian' as const,
        paths: { pid: join(runtime, 'nginx.pid'), runtime },
        logs: { access: join(runtime, 'access.log'), error: 'stderr' },
        // A loopback address of its own per service, so that the routes below show which service goes where.
        upstreamAddresses: Object.fromEntries(services.services.map((s, i) => [upstreamName(s), address(i)])),
      };
      const files = renderProxy(config, target);
      await writeRendered(files, runtime);
      const result = await testNginxConfig({ dir: runtime });
      expect(result.output).toContain('test is successful');

      const conf = files.get(MAIN_FILE) ?? '';
      // SNI -> the service's name; "<name> <group>" -> no refusal, for every group of the allowlist (no entry here
      // limits its services); then lattice_tls_<name>, the upstream group -> the service's address.
      const mapText = (map: string) => new RegExp(`map ${map} \\{([^}]*)\\}`).exec(conf)?.[1] ?? '';
      const names = new Map(
        [...mapText('\\$ssl_preread_server_name \\$tls_service_name').matchAll(/^ {8}(\S+) (\S+);$/gm)]
          .filter((m) => m[1] !== 'default')
          .map((m) => [m[2] as string, m[1] as string]),
      );
      const servers = new Map(
        [...conf.matchAll(/^ {4}upstream (lattice_tls_\S+) \{[^}]*server (\S+);/gm)].map((m) => [m[1], m[2]]),
      );
      expect(mapText('\\$access_refusal \\$tls_upstream')).toContain(
        'default lattice_tls_$tls_service_name;',
      );
      const routes = [
        ...mapText('"\\$tls_service_name \\$client_group" \\$access_refusal').matchAll(
          /^ {8}"(\S+) (\S+)" "";$/gm,
        ),
      ]
        .filter((m) => names.has(m[1] as string))
        .map((m) => `${names.get(m[1] as string)} ${m[2]} ${servers.get(`lattice_tls_${m[1]}`)}`);
      const groups = allowlist.entries.length > 0 ? ['g0'] : [];
      expect(routes.sort()).toEqual(
        services.services
          .flatMap((s, i) => (s.ports.includes(443) ? [`${s.domain} ${address(i)}:443`] : []))
          .flatMap((route) => groups.map((group) => route.replace(' ', ` ${group} `)))
          .sort(),
      );
      expect([...names.values()].sort()).toEqual(
        services.services
          .filter((s) => s.ports.includes(443))
          .map((s) => s.domain)
          .sort(),
      );
      // "<host> <Host header>" -> the service's name, whose upstream group is lattice_http_<name>.
      const hostRoutes = [
        ...mapText('"\\$host \\$http_host" \\$service_name').matchAll(/^ {8}"(\S+) (\S+)" (\S+);$/gm),
      ].map((m) => `${m[2]} ${m[3]}`);
      expect(hostRoutes.sort()).toEqual(
        services.services
          .filter((s) => s.ports.includes(80))
          .flatMap((s) => [`${s.domain} ${s.name}`, `${s.domain}:80 ${s.name}`])
          .sort(),
      );
      expect(conf).toContain('proxy_pass http://lattice_http_$service_name;');
    }),
    { numRuns: 10 },
  );
});

test('templates never HTML-escape: every value is triple-braced, everything else is a block or a comment', async () => {
  const dir = templateDir();
  const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.hbs'));
  expect(files).toContain('nginx.conf.hbs');
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    const doubles = [...text.matchAll(/(?<!\{)\{\{(?!\{)([^}]*)\}\}/g)]
      .map((match) => match[1]?.trim() ?? '')
      .filter((inner) => !/^([#/!>]|else$|else |!--)/.test(inner));
    expect(doubles, file).toEqual([]);
  }
});
