/**
 * A throwaway cluster CA and an API-server certificate for 127.0.0.1 signed by it, made with the openssl CLI in a temp
 * dir at test time (as test/lab/harness/certificates.ts does): the probe must trust exactly this CA, like a pod trusts
 * its mount's ca.crt. `rogue` is a second CA's certificate for the same address, which the probe must refuse.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClusterCertificates {
  ca: string;
  server: { cert: string; key: string };
  rogue: { cert: string; key: string };
  cleanup(): void;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeClusterCertificates(): ClusterCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'plexdiag-k8s-ca-'));
  const run = (args: string[]): void =>
    void execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const ca = (name: string): void =>
      run([
        'req',
        '-x509',
        ...EC,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]);
    ca('cluster-ca');
    ca('rogue-ca');
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    for (const [name, signer] of [
      ['apiserver', 'cluster-ca'],
      ['rogue', 'rogue-ca'],
    ] as const) {
      run(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=kube-apiserver']);
      run([
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${signer}.pem`,
        '-CAkey',
        `${signer}.key`,
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-extfile',
        'server.ext',
      ]);
    }
    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    return {
      ca: read('cluster-ca.pem'),
      server: { cert: read('apiserver.pem'), key: read('apiserver.key') },
      rogue: { cert: read('rogue.pem'), key: read('rogue.key') },
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
