// PROXY protocol version 2 headers, as an AWS Network Load Balancer writes them, for tests that claim any client
// address while connecting from loopback. TCP over IPv4 or IPv6, PROXY command, no TLVs; and the LOCAL header
// an NLB puts in front of its health checks.
import { isIPv4, isIPv6 } from 'node:net';
import { parseAddress } from '../../src/config/cidr.ts';

export const PROXY_V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

export interface ProxyEndpoint {
  address: string;
  port: number;
}

/** The header announcing a TCP connection from `source` to `destination` (both IPv4 or both IPv6). */
export function proxyV2Header(source: ProxyEndpoint, destination: ProxyEndpoint): Buffer {
  const family = isIPv4(source.address) ? 4 : isIPv6(source.address) ? 6 : undefined;
  if (!family) throw new Error(`not an IP address: ${source.address}`);
  if ((family === 4 && !isIPv4(destination.address)) || (family === 6 && !isIPv6(destination.address))) {
    throw new Error('source and destination must be of the same address family');
  }
  const addressBytes = family === 4 ? 4 : 16;
  const addresses = Buffer.alloc(addressBytes * 2 + 4);
  addressToBytes(source.address, addressBytes).copy(addresses, 0);
  addressToBytes(destination.address, addressBytes).copy(addresses, addressBytes);
  addresses.writeUInt16BE(source.port, addressBytes * 2);
  addresses.writeUInt16BE(destination.port, addressBytes * 2 + 2);
  const fixed = Buffer.alloc(4);
  fixed[0] = 0x21; // version 2, command PROXY
  fixed[1] = family === 4 ? 0x11 : 0x21; // AF_INET / AF_INET6, STREAM
  fixed.writeUInt16BE(addresses.length, 2);
  return Buffer.concat([PROXY_V2_SIGNATURE, fixed, addresses]);
}

/**
 * The header of a connection the sender makes on its own behalf (a health check): command LOCAL, family
 * UNSPEC, no addresses. The receiver must use the connection's real endpoints.
 */
export function proxyV2LocalHeader(): Buffer {
  const fixed = Buffer.from([0x20, 0x00, 0x00, 0x00]); // version 2, command LOCAL; AF_UNSPEC; length 0
  return Buffer.concat([PROXY_V2_SIGNATURE, fixed]);
}

function addressToBytes(address: string, size: number): Buffer {
  let { value } = parseAddress(address);
  const bytes = Buffer.alloc(size);
  for (let i = size - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}
