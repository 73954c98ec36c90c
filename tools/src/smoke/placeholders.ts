import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateCaSecret } from '@kubevirt-ci/app-cert-manager';
import { grpcCertificateNames, remoteWrite, remoteWriterName } from '@kubevirt-ci/app-prometheus';
import type { Manifest, Rendered } from '@kubevirt-ci/synth';
import type { ProvidedObject } from '@kubevirt-ci/topology';
import { manifestOf } from '../secrets/provided.ts';

/**
 * One throwaway CA for everything the smoke clusters need signed: the docker proxy's CA, the
 * hub's private issuer, the Thanos StoreAPIs' mutual TLS and the remote writers' client
 * certificates. Made with openssl, which every CI runner has.
 */
export interface SmokePki {
  readonly caCert: string;
  readonly caKey: string;
  /** For server and client use, with every name a StoreAPI answers on. */
  readonly leafCert: string;
  readonly leafKey: string;
  /** A client-only certificate and key for each remote writer, by its cluster's name. */
  readonly writers: ReadonlyMap<string, { readonly cert: string; readonly key: string }>;
}

export function makePki(dnsNames: readonly string[], writers: readonly { cluster: string; commonName: string }[] = []): SmokePki {
  const dir = mkdtempSync(join(tmpdir(), 'smoke-pki-'));
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=kubevirt-ci smoke CA', '-keyout', f('ca.key'), '-out', f('ca.crt'),
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=kubevirt-ci smoke', '-keyout', f('tls.key'), '-out', f('tls.csr'));
    writeFileSync(f('ext.cnf'), `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
    openssl('x509', '-req', '-in', f('tls.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('tls.crt'));
    const read = (name: string) => readFileSync(f(name), 'utf8');
    writeFileSync(f('client.cnf'), 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
    const signed = writers.map(({ cluster, commonName }, i): [string, { cert: string; key: string }] => {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${commonName}`, '-keyout', f(`w${i}.key`), '-out', f(`w${i}.csr`));
      openssl('x509', '-req', '-in', f(`w${i}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('client.cnf'), '-out', f(`w${i}.crt`));
      return [cluster, { cert: read(`w${i}.crt`), key: read(`w${i}.key`) }];
    });
    return { caCert: read('ca.crt'), caKey: read('ca.key'), leafCert: read('tls.crt'), leafKey: read('tls.key'), writers: new Map(signed) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the smoke test keeps to drive the system with: the webhook secret and Grafana's admin. */
export interface SmokeSecrets {
  readonly hmac: string;
  readonly grafanaUser: string;
  readonly grafanaPassword: string;
  readonly pki: SmokePki;
}

export function makeSecrets(rendered: Rendered): SmokeSecrets {
  const writers = rendered.clusters.filter((rc) => rc.provided.some((p) => p.name === remoteWrite.secret)).map((rc) => ({ cluster: rc.cluster.name, commonName: remoteWriterName(rc.cluster) }));
  return { hmac: randomBytes(24).toString('hex'), grafanaUser: 'admin', grafanaPassword: randomBytes(12).toString('hex'), pki: makePki(grpcCertificateNames(), writers) };
}

const rsaKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A kubeconfig pointing nowhere: the external KubeVirtCI clusters do not exist for kind. */
const unreachableKubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: unreachable, cluster: {server: "https://192.0.2.1:6443"}}]
users: [{name: unreachable, user: {token: placeholder}}]
contexts: [{name: unreachable, context: {cluster: unreachable, user: unreachable}}]
current-context: unreachable
`;

/**
 * A value that works for a key, by what the key holds: the same key name means the same
 * kind of content in every provided object. GitHub's OAuth config shares its key name with
 * deck's cookie, the private issuer's CA and the remote writer's client certificate theirs
 * with the StoreAPI certificate, so those are told apart by the object (and its cluster).
 */
export function placeholderValue(object: ProvidedObject, key: string, s: SmokeSecrets, cluster = ''): string {
  if (object.name === 'github-oauth-config') {
    return 'client_id: smoke\nclient_secret: smoke\nredirect_url: https://prow.kubevirt-ci.test/github-login/redirect\nfinal_redirect_url: https://prow.kubevirt-ci.test/pr\n';
  }
  if (object.namespace === privateCaSecret.namespace && object.name === privateCaSecret.name && (key === 'tls.crt' || key === 'tls.key')) {
    return key === 'tls.crt' ? s.pki.caCert : s.pki.caKey;
  }
  const writer = s.pki.writers.get(cluster);
  if (object.name === remoteWrite.secret && writer && (key === 'tls.crt' || key === 'tls.key')) {
    return key === 'tls.crt' ? writer.cert : writer.key;
  }
  switch (key) {
    case 'ca.crt':
      return s.pki.caCert;
    case 'ca.key':
      return s.pki.caKey;
    case 'tls.crt':
      return s.pki.leafCert;
    case 'tls.key':
      return s.pki.leafKey;
    case 'hmac':
      return s.hmac;
    case 'appid':
      return '1';
    case 'cert':
      return rsaKey();
    case 'secret':
      // deck's cookie key: base64 of 32 random bytes.
      return randomBytes(32).toString('base64');
    case 'service-account.json':
      return JSON.stringify({ type: 'service_account', project_id: 'kubevirt-ci-smoke', private_key_id: 'smoke', private_key: rsaKey(), client_email: 'smoke@kubevirt-ci-smoke.iam.gserviceaccount.com', client_id: '1', token_uri: 'https://oauth2.googleapis.com/token' });
    case 'kubeconfig':
      return unreachableKubeconfig;
    case 'objstore.yml':
      // A bucket on each pod's own disk: nothing leaves the cluster, and nothing is shared.
      return 'type: FILESYSTEM\nconfig:\n  directory: /tmp/smoke-bucket\n';
    case 'webhook-url':
      return 'http://127.0.0.1:9/smoke';
    case 'admin-user':
      return s.grafanaUser;
    case 'admin-password':
      return s.grafanaPassword;
    default:
      return `smoke-${randomBytes(8).toString('hex')}`;
  }
}

/**
 * Every object a cluster's apps declare as provided, filled with placeholders; Prow's
 * kubeconfig (the object with contexts) is left to bootstrap, which builds it for real.
 */
export function placeholderObjects(provided: readonly ProvidedObject[], s: SmokeSecrets, cluster = ''): Manifest[] {
  return provided
    .filter((o) => !o.contexts)
    .map((object) => manifestOf({ object, data: Object.fromEntries(object.keys.map((k) => [k, Buffer.from(placeholderValue(object, k, s, cluster))])) }) as Manifest);
}
