/**
 * Test certificates made at test time with the `openssl` CLI in a temp dir (keys are never committed):
 * - `wildcard`: self-signed `*.<hash>.plex.direct`, valid for 30 days (trusted when passed as a CA).
 * - `expired`: self-signed, same name, valid 2020-01-01..2020-01-02. OpenSSL 3.0 has no `-not_after` on `req`,
 *   so it goes through `openssl ca -selfsign -startdate -enddate` with a throwaway CA database.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  cert: string;
  key: string;
}

export interface TestCertificates {
  hash: string;
  wildcard: TestCertificate;
  expired: TestCertificate;
  cleanup(): void;
}

const CA_CONFIG = `[ ca ]
default_ca = throwaway
[ throwaway ]
dir = .
database = ./index.txt
new_certs_dir = .
serial = ./serial
default_md = sha256
policy = anything
copy_extensions = copy
unique_subject = no
[ anything ]
commonName = supplied
`;

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makeTestCertificates(hash: string): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'plexdiag-certs-'));
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const subject = `/CN=*.${hash}.plex.direct`;
  const san = `subjectAltName=DNS:*.${hash}.plex.direct`;
  try {
    run([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      '30',
      '-subj',
      subject,
      '-addext',
      san,
    ]);
    run([
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'expired-key.pem',
      '-out',
      'expired.csr',
      '-subj',
      subject,
      '-addext',
      san,
    ]);
    writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '01\n');
    run([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'expired-key.pem',
      '-in',
      'expired.csr',
      '-out',
      'expired.pem',
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200102000000Z',
      '-notext',
    ]);
    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    return {
      hash,
      wildcard: { cert: read('cert.pem'), key: read('key.pem') },
      expired: { cert: read('expired.pem'), key: read('expired-key.pem') },
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
