// A throwaway certificate authority for the local stack, made with openssl at start. The stand-in services present
// certificates it signed, and clients verify against it, just as they verify Lattice's certificate end to end
// through the TLS-passthrough proxy. Keys are EC P-256: quick to make, and nothing here outlives the stack.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface LocalCa {
  /** PEM file clients pass as their CA bundle (curl --cacert, SmokeOptions.caFile). */
  certFile: string;
  cert: string;
  /** Issues a server certificate for `names`; `id` (64 characters at most) names its files and subject. */
  issue(id: string, names: readonly string[]): Promise<KeyPair>;
}

export interface KeyPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`openssl ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

/** Creates the CA in `dir` (which the caller removes with the stack). */
export async function createLocalCa(dir: string): Promise<LocalCa> {
  const certFile = join(dir, 'local-ca.crt');
  const keyFile = join(dir, 'local-ca.key');
  await openssl([
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=lattice-ingress local CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const cert = await readFile(certFile, 'utf8');

  const issue = async (id: string, names: readonly string[]): Promise<KeyPair> => {
    if (names.length === 0) throw new Error('a certificate needs at least one name');
    const leafKey = join(dir, `${id}.key`);
    const csr = join(dir, `${id}.csr`);
    const leafCert = join(dir, `${id}.crt`);
    await openssl([
      'req',
      '-new',
      ...EC_KEY,
      '-keyout',
      leafKey,
      '-out',
      csr,
      '-subj',
      // Clients check the subjectAltName; a DNS name can be longer than the 64 characters a CN may hold.
      `/CN=${id}`,
      '-addext',
      `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
      '-addext',
      'extendedKeyUsage=serverAuth',
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      certFile,
      '-CAkey',
      keyFile,
      '-set_serial',
      `0x1${randomBytes(8).toString('hex')}`,
      '-days',
      '2',
      '-copy_extensions',
      'copy',
      '-out',
      leafCert,
    ]);
    const [certPem, keyPem] = await Promise.all([readFile(leafCert, 'utf8'), readFile(leafKey, 'utf8')]);
    return { certFile: leafCert, keyFile: leafKey, cert: certPem, key: keyPem };
  };

  return { certFile, cert, issue };
}
