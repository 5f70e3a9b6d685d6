import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerQuery, DNS_TYPE, type DnsServer, parseQuery, startDnsServer } from '../../src/local/dns.ts';

const NAME = 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws';

/** A standard query as a stub resolver sends it. */
function query(name: string, type: number, id = 0x1234): Buffer {
  const labels = name
    .split('.')
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  const head = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const tail = Buffer.from([0, type >> 8, type & 0xff, 0, 1]);
  return Buffer.concat([head, ...labels, tail]);
}

describe('DNS codec', () => {
  const records = new Map([[NAME, { a: ['127.0.1.1'] }]]);

  it('answers A with the pointer to the question name, the TTL and the address', () => {
    const answer = answerQuery(query(NAME, DNS_TYPE.A), records, 7);
    expect(answer).toBeDefined();
    const bytes = answer as Buffer;
    expect(bytes.readUInt16BE(0)).toBe(0x1234);
    expect(bytes.readUInt16BE(2) & 0x800f).toBe(0x8000); // response, NOERROR
    expect(bytes.readUInt16BE(6)).toBe(1); // one answer
    expect([...bytes.subarray(-4)]).toEqual([127, 0, 1, 1]);
    expect(bytes.readUInt32BE(bytes.length - 10)).toBe(7);
  });

  it('treats names case-insensitively', () => {
    const answer = answerQuery(query(NAME.toUpperCase(), DNS_TYPE.A), records, 5) as Buffer;
    expect(answer.readUInt16BE(6)).toBe(1);
  });

  it('says NXDOMAIN for names it does not know', () => {
    const answer = answerQuery(query('metadata.internal', DNS_TYPE.A), records, 5) as Buffer;
    expect(answer.readUInt16BE(2) & 0xf).toBe(3);
    expect(answer.readUInt16BE(6)).toBe(0);
  });

  it('drops responses and runts, and answers FORMERR to a question it cannot read', () => {
    const response = query(NAME, DNS_TYPE.A);
    response[2] = 0x81;
    expect(answerQuery(response, records, 5)).toBeUndefined();
    expect(answerQuery(Buffer.alloc(5), records, 5)).toBeUndefined();
    const truncated = query(NAME, DNS_TYPE.A).subarray(0, 20);
    const answer = answerQuery(truncated, records, 5) as Buffer;
    expect(answer.readUInt16BE(2) & 0xf).toBe(1);
    expect(parseQuery(truncated)).toEqual({ id: 0x1234, malformed: true });
  });
});

describe('DNS server', () => {
  let server: DnsServer;
  const resolver = new Resolver({ timeout: 1000, tries: 1 });

  beforeAll(async () => {
    server = await startDnsServer({
      records: new Map([
        [NAME, { a: ['127.0.1.1'] }],
        ['dual.example.com', { a: ['127.0.1.2'], aaaa: ['fd00::1:2'] }],
      ]),
      ttlSeconds: 3,
    });
    resolver.setServers([server.address]);
  });
  afterAll(() => server?.close());

  it('listens on a free loopback port', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
  });

  it('resolves a Lattice name to its loopback address with the configured TTL', async () => {
    expect(await resolver.resolve4(NAME, { ttl: true })).toEqual([{ address: '127.0.1.1', ttl: 3 }]);
  });

  it('answers AAAA when the name has IPv6 addresses and NODATA when it has none', async () => {
    expect(await resolver.resolve6('dual.example.com')).toEqual(['fd00::1:2']);
    await expect(resolver.resolve6(NAME)).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('refuses every other name with NXDOMAIN', async () => {
    await expect(resolver.resolve4('169.254.170.2.nip.io')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.resolve4('example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('follows a change of records, as Lattice addresses change', async () => {
    server.setRecords(new Map([[NAME, { a: ['127.0.1.9'] }]]));
    expect(await resolver.resolve4(NAME)).toEqual(['127.0.1.9']);
    expect(server.queries.get(NAME)).toBeGreaterThanOrEqual(2);
  });
});
