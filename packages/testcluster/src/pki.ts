/**
 * A test cluster's certificates, made anew for each run with openssl: its own CA, a serving
 * certificate for the API server on loopback, and client certificates for the identities the
 * tests act as. The service account signing key is an RSA key from node:crypto.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Identity {
  /** The user name the API server sees (the certificate's CN). */
  readonly user: string;
  /** Its groups (the certificate's O). */
  readonly groups: readonly string[];
}

export interface ClientCert {
  readonly cert: string;
  readonly key: string;
}

export interface Pki {
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  /** The service account token signing key (private) and the key the API server verifies with. */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  client(name: string, who: Identity): ClientCert;
}

function openssl(args: readonly string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`no openssl on PATH (${r.error.message}); install openssl (Debian: apt-get install openssl) so the test cluster can make its certificates`);
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr.trim()}`);
}

/** A subject for openssl's -subj: each value escaped, since a / or + in it would start a new field. */
function subject(cn: string, os: readonly string[] = []): string {
  const esc = (v: string) => v.replace(/[\\/+=,]/g, (c) => `\\${c}`);
  return [...os.map((o) => `/O=${esc(o)}`), `/CN=${esc(cn)}`].join('');
}

function signed(dir: string, name: string, subj: string, extensions: string): ClientCert {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', subj, '-out', csr], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', cert], dir);
  return { cert, key };
}

export function makePki(dir: string): Pki {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', subject('kubevirt-ci test cluster CA'), '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const serving = signed(dir, 'apiserver', subject('kube-apiserver'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceAccountKey = join(dir, 'service-account.key');
  const serviceAccountPub = join(dir, 'service-account.pub');
  writeFileSync(serviceAccountKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(serviceAccountPub, publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: serving.cert,
    servingKey: serving.key,
    serviceAccountKey,
    serviceAccountPub,
    client: (name, who) => signed(dir, name, subject(who.user, who.groups), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n'),
  };
}
