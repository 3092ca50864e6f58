// Test PKI generated with the openssl CLI (EC P-256), cached once per test process:
// a CA with good/expired/wrong-host server certs and a client cert, plus an unrelated CA + server cert.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { processTempDir } from './teardown.js';

const execFileAsync = promisify(execFile);

export const OPENSSL = '/usr/bin/openssl';

/** Paths of a PEM certificate and its unencrypted PEM private key. */
export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export type ServerCertKind = 'good' | 'expired' | 'wrong-host' | 'other-ca';

export interface TestCerts {
  readonly dir: string;
  /** The CA clients pin; signs server, client, expiredServer and wrongHostServer. */
  readonly ca: CertPair;
  /** SAN IP:127.0.0.1 + DNS:localhost, valid now. */
  readonly server: CertPair;
  /** CN faultline-client, extendedKeyUsage clientAuth. */
  readonly client: CertPair;
  /** Correct names, valid 2020-01-01..2020-01-02 only. */
  readonly expiredServer: CertPair;
  /** Only name: DNS:wrong-host.example. */
  readonly wrongHostServer: CertPair;
  /** A second CA nobody trusts. */
  readonly otherCa: CertPair;
  /** Correct names and dates, but signed by otherCa. */
  readonly otherCaServer: CertPair;
  /** Wall-clock ms the (one-off, per-process) generation took. */
  readonly generationMs: number;
}

export const CLIENT_CN = 'faultline-client';

const cacheKey = Symbol.for('faultline.test.certs');
type CertCache = { [cacheKey]?: Promise<TestCerts> };

/** The test PKI, generated on first use and reused for the rest of the test process. */
export function testCerts(): Promise<TestCerts> {
  const cache = globalThis as CertCache;
  cache[cacheKey] ??= generateTestCerts().catch((err: unknown) => {
    delete cache[cacheKey];
    throw err;
  });
  return cache[cacheKey];
}

/** Picks the server certificate a broker should present. */
export function serverCert(certs: TestCerts, kind: ServerCertKind): CertPair {
  switch (kind) {
    case 'good':
      return certs.server;
    case 'expired':
      return certs.expiredServer;
    case 'wrong-host':
      return certs.wrongHostServer;
    case 'other-ca':
      return certs.otherCaServer;
  }
}

async function generateTestCerts(): Promise<TestCerts> {
  const started = performance.now();
  const dir = await processTempDir('certs');
  try {
    const pki = await generateInto(dir);
    return { ...pki, dir, generationMs: Math.round(performance.now() - started) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function generateInto(dir: string): Promise<Omit<TestCerts, 'dir' | 'generationMs'>> {
  const pki = new Pki(dir);
  await pki.writeConfig();
  // Keys, CAs and CSRs are independent; then every signature is independent (random serials).
  const [ca, otherCa] = await Promise.all([
    pki.selfSignedCa('ca', 'faultline test CA'),
    pki.selfSignedCa('other-ca', 'unrelated test CA'),
    pki.request('server', '127.0.0.1'),
    pki.request('client', CLIENT_CN),
    pki.request('expired-server', '127.0.0.1'),
    pki.request('wrong-host-server', 'wrong-host.example'),
    pki.request('other-ca-server', '127.0.0.1'),
  ]);
  const [server, client, wrongHostServer, otherCaServer, expiredServer] = await Promise.all([
    pki.sign('server', ca, 'server_ext'),
    pki.sign('client', ca, 'client_ext'),
    pki.sign('wrong-host-server', ca, 'wrong_host_ext'),
    pki.sign('other-ca-server', otherCa, 'server_ext'),
    pki.signBackdated('expired-server', ca, '20200101000000Z', '20200102000000Z'),
  ]);
  return { ca, server, client, expiredServer, wrongHostServer, otherCa, otherCaServer };
}

/** The openssl invocations, all inside one directory with one config file. */
class Pki {
  readonly configPath: string;

  constructor(readonly dir: string) {
    this.configPath = path.join(dir, 'openssl.cnf');
  }

  async writeConfig(): Promise<void> {
    await writeFile(this.configPath, opensslConfig(this.dir));
    await writeFile(path.join(this.dir, 'index.txt'), '');
    await writeFile(path.join(this.dir, 'ca.serial'), '01\n'); // required by `openssl ca`, unused with -rand_serial
  }

  async selfSignedCa(name: string, commonName: string): Promise<CertPair> {
    const pair = this.pair(name);
    await this.openssl([
      'req', '-x509', '-config', this.configPath, '-extensions', 'ca_ext',
      ...EC_KEY_ARGS, '-noenc', '-keyout', pair.key, '-out', pair.cert,
      '-days', '3650', '-subj', `/CN=${commonName}`,
    ]);
    return pair;
  }

  /** Writes `<name>.key` and `<name>.csr`. */
  async request(name: string, commonName: string): Promise<void> {
    await this.openssl([
      'req', '-new', '-config', this.configPath, ...EC_KEY_ARGS, '-noenc',
      '-keyout', this.pair(name).key, '-out', this.csr(name), '-subj', `/CN=${commonName}`,
    ]);
  }

  async sign(name: string, issuer: CertPair, extensions: string): Promise<CertPair> {
    const pair = this.pair(name);
    await this.openssl([
      'x509', '-req', '-in', this.csr(name), '-CA', issuer.cert, '-CAkey', issuer.key,
      '-set_serial', randomSerial(), '-days', '825', '-sha256',
      '-extfile', this.configPath, '-extensions', extensions, '-out', pair.cert,
    ]);
    return pair;
  }

  /** `openssl x509` in 3.0 cannot set notBefore, `openssl ca` can (-startdate/-enddate). */
  async signBackdated(name: string, issuer: CertPair, start: string, end: string): Promise<CertPair> {
    const pair = this.pair(name);
    await this.openssl([
      'ca', '-config', this.configPath, '-name', 'test_ca', '-batch', '-notext', '-rand_serial',
      '-cert', issuer.cert, '-keyfile', issuer.key, '-extensions', 'server_ext',
      '-startdate', start, '-enddate', end, '-outdir', this.dir,
      '-in', this.csr(name), '-out', pair.cert,
    ]);
    return pair;
  }

  private pair(name: string): CertPair {
    return { cert: path.join(this.dir, `${name}.crt`), key: path.join(this.dir, `${name}.key`) };
  }

  private csr(name: string): string {
    return path.join(this.dir, `${name}.csr`);
  }

  private async openssl(args: string[]): Promise<void> {
    try {
      await execFileAsync(OPENSSL, args, { cwd: this.dir });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr.trim() || String(err)}`, { cause: err });
    }
  }
}

const EC_KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // keep it positive
  return `0x${bytes.toString('hex')}`;
}

function opensslConfig(dir: string): string {
  return `# generated by test/helpers/certs.ts
[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]
CN = placeholder

[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid

[ wrong_host_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong-host.example
authorityKeyIdentifier = keyid

[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid

[ test_ca ]
dir = ${dir}
database = $dir/index.txt
serial = $dir/ca.serial
new_certs_dir = $dir
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none

[ policy_any ]
commonName = supplied
`;
}
