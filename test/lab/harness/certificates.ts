/**
 * The lab's stand-in for Plex's plex.direct certificates: a CA made per lab, and a certificate for
 * `*.<hash>.plex.direct` signed by it (the real ones are issued by a public CA to every server;
 * docs/reference/plex-api.md §6). Programs in the lab that should trust it as they would trust the real one get
 * `NODE_EXTRA_CA_CERTS=<caFile>`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun } from './command.js';

export interface PlexDirectCertificate {
  /** PEM of the lab CA: hand it to a client as NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** PEM certificate for `*.<hash>.plex.direct`. */
  certFile: string;
  /** PEM private key of certFile. */
  keyFile: string;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Makes the CA and the server certificate in `dir` with openssl (about 50 ms). `hash` is 32 hex characters. */
export async function makePlexDirectCertificate(dir: string, hash: string): Promise<PlexDirectCertificate> {
  if (!/^[0-9a-f]{32}$/.test(hash))
    throw new Error(`lab: a plex.direct certificate hash is 32 lowercase hex characters, got "${hash}"`);
  const file = (name: string): string => join(dir, name);
  await mustRun([
    'openssl',
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    file('lab-ca.key'),
    '-out',
    file('lab-ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=plex-diagnose lab CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await mustRun([
    'openssl',
    'req',
    ...EC_KEY,
    '-keyout',
    file('plex-direct.key'),
    '-out',
    file('plex-direct.csr'),
    '-subj',
    `/CN=*.${hash}.plex.direct`,
  ]);
  await writeFile(
    file('plex-direct.ext'),
    `subjectAltName=DNS:*.${hash}.plex.direct\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`,
  );
  await mustRun([
    'openssl',
    'x509',
    '-req',
    '-in',
    file('plex-direct.csr'),
    '-CA',
    file('lab-ca.pem'),
    '-CAkey',
    file('lab-ca.key'),
    '-CAcreateserial',
    '-out',
    file('plex-direct.pem'),
    '-days',
    '2',
    '-extfile',
    file('plex-direct.ext'),
  ]);
  return { caFile: file('lab-ca.pem'), certFile: file('plex-direct.pem'), keyFile: file('plex-direct.key') };
}
