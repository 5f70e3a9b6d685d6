// ClientHellos as modern clients send them, and reshaped as a network or a hostile client may: a relay in front of
// the load balancer that holds a client's first flight until its ClientHello is complete, then writes it in one of
// several shapes and pipes the rest of the connection unchanged, so the real handshake still completes.
import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';

const HANDSHAKE_RECORD = 0x16;
const CLIENT_HELLO = 0x01;
const KEY_SHARE_EXTENSION = 0x0033;
/** The hybrid post-quantum key exchange browsers, curl and OpenSSL 3.5 offer first (TLS group 0x11ec). */
export const X25519MLKEM768 = 0x11ec;

/** How the relay writes the ClientHello. */
export const HELLO_SHAPES = {
  asSent: 'as the client sent it',
  twoSegments: 'split over two TCP segments, 1 s apart',
  twoRecords: 're-framed into two TLS records',
} as const;
export type HelloShape = keyof typeof HELLO_SHAPES;

const SEGMENT_PAUSE_MS = 1_000;

/**
 * The bytes of `flight` up to the end of its ClientHello (which may span several records), or undefined while the
 * ClientHello is incomplete. Throws when the flight does not start with a handshake record.
 */
export function completeHello(flight: Buffer): Buffer | undefined {
  let offset = 0;
  let handshake = Buffer.alloc(0);
  while (offset + 5 <= flight.length) {
    if (flight[offset] !== HANDSHAKE_RECORD) throw new Error('not a TLS handshake record');
    const end = offset + 5 + flight.readUInt16BE(offset + 3);
    if (end > flight.length) return undefined;
    handshake = Buffer.concat([handshake, flight.subarray(offset + 5, end)]);
    offset = end;
    if (handshake.length >= 4 && handshake.length >= 4 + handshake.readUIntBE(1, 3)) {
      if (handshake[0] !== CLIENT_HELLO) throw new Error('the first handshake message is not a ClientHello');
      return flight.subarray(0, offset);
    }
  }
  return undefined;
}

/** The same ClientHello in two handshake records, split in the middle of the message. */
export function inTwoRecords(hello: Buffer): Buffer {
  const body = hello.subarray(5, 5 + hello.readUInt16BE(3));
  const half = Math.floor(body.length / 2);
  const record = (fragment: Buffer) => {
    const header = Buffer.from(hello.subarray(0, 5));
    header.writeUInt16BE(fragment.length, 3);
    return Buffer.concat([header, fragment]);
  };
  return Buffer.concat([record(body.subarray(0, half)), record(body.subarray(half))]);
}

/** The key exchange groups of the ClientHello's key shares (a single-record ClientHello). */
export function keyShareGroups(hello: Buffer): number[] {
  // record header 5, handshake header 4, version 2, random 32
  let at = 5 + 4 + 2 + 32;
  at += 1 + (hello[at] ?? 0); // session id
  at += 2 + hello.readUInt16BE(at); // cipher suites
  at += 1 + (hello[at] ?? 0); // compression methods
  const end = at + 2 + hello.readUInt16BE(at);
  for (at += 2; at + 4 <= end; at += 4 + hello.readUInt16BE(at + 2)) {
    if (hello.readUInt16BE(at) !== KEY_SHARE_EXTENSION) continue;
    const groups: number[] = [];
    const sharesEnd = at + 6 + hello.readUInt16BE(at + 4);
    for (let share = at + 6; share + 4 <= sharesEnd; share += 4 + hello.readUInt16BE(share + 2)) {
      groups.push(hello.readUInt16BE(share));
    }
    return groups;
  }
  return [];
}

export interface ShapingRelay {
  port: number;
  /** Every ClientHello that passed, as the client sent it. */
  hellos: Buffer[];
  close(): Promise<void>;
}

/** Listens on loopback and relays each connection to `targetPort`, writing its ClientHello in `shape`. */
export async function startShapingRelay(targetPort: number, shape: HelloShape): Promise<ShapingRelay> {
  const hellos: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => sockets.delete(socket));
    }
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    let flight = Buffer.alloc(0);
    const collect = async (chunk: Buffer) => {
      flight = Buffer.concat([flight, chunk]);
      const hello = completeHello(flight);
      if (!hello) return;
      client.off('data', collect);
      client.pause();
      hellos.push(hello);
      await writeShaped(upstream, hello, shape);
      upstream.write(flight.subarray(hello.length));
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    };
    client.on('data', collect);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no port');
  return {
    port: address.port,
    hellos,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function writeShaped(upstream: Socket, hello: Buffer, shape: HelloShape): Promise<void> {
  if (shape === 'asSent') upstream.write(hello);
  else if (shape === 'twoRecords') upstream.write(inTwoRecords(hello));
  else {
    const half = Math.floor(hello.length / 2);
    upstream.write(hello.subarray(0, half));
    await new Promise((resolve) => setTimeout(resolve, SEGMENT_PAUSE_MS));
    upstream.write(hello.subarray(half));
  }
}

export type HandshakeResult = { service: string; servername: string } | { refused: string };

/**
 * A TLS handshake by `node` (a Node 24 binary: its OpenSSL 3.5 offers X25519MLKEM768) to `port` with `servername`;
 * resolves with what the stand-in behind the proxy answered, or why there was no answer.
 */
export function handshakeWith(
  node: string,
  port: number,
  servername: string,
  ca: string,
): Promise<HandshakeResult> {
  const script = `
    const socket = require('node:tls').connect({ host: '127.0.0.1', port: ${port}, servername: ${JSON.stringify(servername)}, ca: process.env.CA });
    let answer = '';
    const done = (text) => { process.stdout.write(text); process.exit(0); };
    socket.on('data', (chunk) => { answer += chunk; });
    socket.on('end', () => done(answer || JSON.stringify({ refused: 'closed without data' })));
    socket.on('error', (error) => done(JSON.stringify({ refused: error.message })));
    setTimeout(() => done(JSON.stringify({ refused: 'no answer in 20 s' })), 20000);`;
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['-e', script], { env: { CA: ca }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', () => {
      try {
        resolve(JSON.parse(output) as HandshakeResult);
      } catch {
        reject(new Error(`the client printed no answer: ${output}`));
      }
    });
  });
}
