// A service of a second service network, served by the local stack: its stand-in lives in the network's own block
// of loopback addresses and its name in the network's own DNS zone (as an endpoint's zone and addresses in AWS),
// and `start` forwards to it through haproxy and nginx like any other service.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/config/model.ts';
import { localZones } from '../../src/local/networks.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';
import { runCli } from './support.ts';

const scratch = mkdtempSync(join(tmpdir(), 'second-network-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const service = (name: string, fields: Partial<Service> = {}): Service => ({
  name,
  domain: `${name}.example.com`,
  ports: [443],
  auth: 'iam',
  smoke: { path: '/', expect: 200 },
  ...fields,
});

describe('local zones', () => {
  it('put each further network in its own zone and address block, the association first', () => {
    const zones = localZones([
      service('orders', {
        latticeDomain: 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
      }),
      service('billing', { serviceNetwork: 'sn-0aaaaaaaaaaaaaaaa' }),
      service('ledger', {
        serviceNetwork: 'arn:aws:vpc-lattice:eu-west-1:999988887777:servicenetwork/sn-0bbbbbbbbbbbbbbbb',
      }),
      service('invoices', { serviceNetwork: 'sn-0aaaaaaaaaaaaaaaa' }),
    ]);
    expect(zones.map((zone) => [zone.network, Object.fromEntries(zone.records)])).toEqual([
      ['association', { 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws': '127.0.1.1' }],
      [
        'sn-0aaaaaaaaaaaaaaaa',
        { 'billing.example.com': '127.0.200.1', 'invoices.example.com': '127.0.200.2' },
      ],
      ['sn-0bbbbbbbbbbbbbbbb', { 'ledger.example.com': '127.0.210.1' }],
    ]);
  });
});

describe('lattice-ingress start with a service of a second network', () => {
  it('serves it through haproxy and nginx from the second zone and block', async () => {
    const config = join(scratch, 'config');
    cpSync(SAMPLE_CONFIG_DIR, config, { recursive: true });
    const deployment = readFileSync(join(config, 'deployment.yaml'), 'utf8');
    writeFileSync(
      join(config, 'deployment.yaml'),
      deployment.replaceAll(
        /(serviceNetworkId: sn-[0-9a-f]{17}\n)/g,
        '$1    serviceNetworkEndpoints: [sn-0aaaaaaaaaaaaaaaa]\n',
      ),
    );
    const services = readFileSync(join(config, 'services.yaml'), 'utf8');
    writeFileSync(
      join(config, 'services.yaml'),
      `${services}  - name: billing\n    domain: billing.example.com\n    serviceNetwork: sn-0aaaaaaaaaaaaaaaa\n    ports: [443, 80]\n`,
    );

    const run = runCli(['start', '--once', '--config', config]);
    const { code } = await run.exited;
    const output = run.output();
    expect(code, output).toBe(0);
    expect(output).toMatch(/zone\s+sn-0aaaaaaaaaaaaaaaa \(endpoint\)\s+billing\n/);
    expect(output).toMatch(/stand-in\s+billing\s+127\.0\.200\.1 /);
    expect(output).toMatch(/billing\s+443\s+200\s+200\s+.*ok/);
    expect(output).toMatch(/billing\s+80\s+200\s+200\s+.*ok/);
    expect(output).toMatch(/\b11 of 11 checks passed/);
  });
});
