// A tiny authoritative DNS server for the local stack: it plays the VPC resolver, answering each service's Lattice
// name with a loopback address and NXDOMAIN for every other name, so the proxy's `resolver` is exercised for real.
// UDP only (answers are a few dozen bytes, never truncated), one question per query, A and AAAA records.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

export interface DnsAddresses {
  a?: readonly string[];
  aaaa?: readonly string[];
}

/** Lowercase name without the trailing dot -> its addresses. */
export type DnsRecords = ReadonlyMap<string, DnsAddresses>;

export const DNS_TYPE = { A: 1, AAAA: 28 } as const;
const CLASS_IN = 1;
const RCODE = { NOERROR: 0, FORMERR: 1, NXDOMAIN: 3, NOTIMP: 4 } as const;
const HEADER_BYTES = 12;

export interface DnsQuestion {
  id: number;
  /** The query's flags word, for echoing RD and the opcode. */
  flags: number;
  name: string;
  type: number;
  qclass: number;
  /** The question section exactly as received, echoed in the answer. */
  question: Buffer;
}

/** Parses a one-question query. Returns the id alone when the rest is malformed (answer FORMERR), or undefined. */
export function parseQuery(message: Buffer): DnsQuestion | { id: number; malformed: true } | undefined {
  if (message.length < HEADER_BYTES) return undefined;
  const id = message.readUInt16BE(0);
  const flags = message.readUInt16BE(2);
  if (flags & 0x8000) return undefined; // a response, not a query: never answer it
  if (message.readUInt16BE(4) !== 1) return { id, malformed: true };
  const labels: string[] = [];
  let offset = HEADER_BYTES;
  for (;;) {
    const length = message[offset];
    if (length === undefined || length > 63) return { id, malformed: true }; // truncated, or a compression pointer
    offset += 1;
    if (length === 0) break;
    if (offset + length > message.length) return { id, malformed: true };
    labels.push(message.toString('latin1', offset, offset + length));
    offset += length;
  }
  if (offset + 4 > message.length) return { id, malformed: true };
  return {
    id,
    flags,
    name: labels.join('.').toLowerCase(),
    type: message.readUInt16BE(offset),
    qclass: message.readUInt16BE(offset + 2),
    question: message.subarray(HEADER_BYTES, offset + 4),
  };
}

/** The answer to one query, or undefined when it should be dropped. Pure: records in, bytes out. */
export function answerQuery(message: Buffer, records: DnsRecords, ttlSeconds: number): Buffer | undefined {
  const query = parseQuery(message);
  if (!query) return undefined;
  if ('malformed' in query) return header(query.id, 0, RCODE.FORMERR, 0, 0);
  const opcode = (query.flags >> 11) & 0xf;
  if (opcode !== 0) return Buffer.concat([header(query.id, query.flags, RCODE.NOTIMP, 1, 0), query.question]);
  const entry = records.get(query.name);
  if (!entry) return Buffer.concat([header(query.id, query.flags, RCODE.NXDOMAIN, 1, 0), query.question]);
  const addresses =
    query.qclass !== CLASS_IN
      ? []
      : query.type === DNS_TYPE.A
        ? (entry.a ?? [])
        : query.type === DNS_TYPE.AAAA
          ? (entry.aaaa ?? [])
          : [];
  // A known name without records of the asked type is NOERROR with no answers ("NODATA"), not NXDOMAIN.
  const answers = addresses.map((address) => resourceRecord(query.type, address, ttlSeconds));
  return Buffer.concat([
    header(query.id, query.flags, RCODE.NOERROR, 1, answers.length),
    query.question,
    ...answers,
  ]);
}

function header(id: number, queryFlags: number, rcode: number, questions: number, answers: number): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES);
  buffer.writeUInt16BE(id, 0);
  // QR=1, opcode echoed, AA=1, RD echoed, RA=0.
  const flags = 0x8000 | (queryFlags & 0x7800) | 0x0400 | (queryFlags & 0x0100) | rcode;
  buffer.writeUInt16BE(flags, 2);
  buffer.writeUInt16BE(questions, 4);
  buffer.writeUInt16BE(answers, 6);
  return buffer;
}

function resourceRecord(type: number, address: string, ttlSeconds: number): Buffer {
  const data = type === DNS_TYPE.A ? ipv4Bytes(address) : ipv6Bytes(address);
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc000 | HEADER_BYTES, 0); // name: pointer to the question's name
  fixed.writeUInt16BE(type, 2);
  fixed.writeUInt16BE(CLASS_IN, 4);
  fixed.writeUInt32BE(ttlSeconds, 6);
  fixed.writeUInt16BE(data.length, 10);
  return Buffer.concat([fixed, data]);
}

function ipv4Bytes(address: string): Buffer {
  if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
  return Buffer.from(address.split('.').map(Number));
}

function ipv6Bytes(address: string): Buffer {
  if (!isIPv6(address) || address.includes('.')) throw new Error(`not a plain IPv6 address: ${address}`);
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const before = groups(head);
  const after = address.includes('::') ? groups(tail) : [];
  const words = [...before, ...Array(8 - before.length - after.length).fill(0), ...after];
  const buffer = Buffer.alloc(16);
  words.forEach((word, i) => {
    buffer.writeUInt16BE(word, i * 2);
  });
  return buffer;
}

export interface DnsServer {
  host: string;
  port: number;
  /** `host:port`, the form nginx's `resolver` directive takes. */
  address: string;
  /** Replaces the records (e.g. to move a service to a new address, as Lattice does). */
  setRecords(records: DnsRecords): void;
  /** How many queries were answered, per lowercase name. */
  queries: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export interface DnsServerOptions {
  records: DnsRecords;
  host?: string;
  /** 0 (default) lets the OS pick a free port. */
  port?: number;
  /** TTL of the answers; short, like Lattice's, so the proxy re-resolves often. */
  ttlSeconds?: number;
  /** Answers this long after the query (a slow or distant resolver), or this long for the name asked; 0 by default. */
  answerDelayMs?: number | ((name: string) => number);
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const { host = '127.0.0.1', port = 0, ttlSeconds = 5, answerDelayMs = 0 } = options;
  let closed = false;
  let records = options.records;
  const queries = new Map<string, number>();
  const socket: Socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  socket.on('message', (message, remote) => {
    const question = parseQuery(message);
    const name = question && 'name' in question ? question.name : '';
    if (name) queries.set(name, (queries.get(name) ?? 0) + 1);
    const answer = answerQuery(message, records, ttlSeconds);
    if (!answer) return;
    const send = () => {
      if (!closed) socket.send(answer, remote.port, remote.address);
    };
    const delayMs = typeof answerDelayMs === 'function' ? answerDelayMs(name) : answerDelayMs;
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const bound = socket.address().port;
  return {
    host,
    port: bound,
    address: isIPv6(host) ? `[${host}]:${bound}` : `${host}:${bound}`,
    setRecords: (next) => {
      records = next;
    },
    queries,
    close: () => {
      closed = true;
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}
