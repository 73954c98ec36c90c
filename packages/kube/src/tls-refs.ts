/**
 * The Secrets an object names for TLS outside a pod template, read the one way the validator
 * and the docs both need: the client CA an ingress-nginx Ingress verifies clients with, and
 * the certificate, key and CA of a Prometheus's remote writes.
 */
import { get, objectsIn, str } from './json.ts';

/**
 * ingress-nginx's annotation naming the Secret (`namespace/name`, or a name in the Ingress's
 * namespace) whose ca.crt verifies client certificates (internal/ingress/annotations/authtls,
 * controller-v1.13.0).
 */
export const authTlsSecretAnnotation = 'nginx.ingress.kubernetes.io/auth-tls-secret';

/** The client CA Secret an Ingress names, or undefined when it asks for no client certificates. */
export function ingressClientCaSecret(ingress: unknown): { namespace: string | undefined; name: string } | undefined {
  const ref = str(get(ingress, 'metadata', 'annotations', authTlsSecretAnnotation));
  if (!ref) return undefined;
  const slash = ref.indexOf('/');
  return slash >= 0 ? { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) } : { namespace: str(get(ingress, 'metadata', 'namespace')), name: ref };
}

/** Each Secret key a Prometheus's remote writes take TLS files from, with where it is named. */
export function remoteWriteSecrets(prometheus: unknown): { path: string; name: string; key: string | undefined }[] {
  return objectsIn(get(prometheus, 'spec', 'remoteWrite')).flatMap((w, i) =>
    (
      [
        ['cert.secret', get(w, 'tlsConfig', 'cert', 'secret')],
        ['keySecret', get(w, 'tlsConfig', 'keySecret')],
        ['ca.secret', get(w, 'tlsConfig', 'ca', 'secret')],
      ] as const
    ).flatMap(([at, ref]) => {
      const name = str(get(ref, 'name'));
      return name ? [{ path: `spec.remoteWrite[${i}].tlsConfig.${at}`, name, key: str(get(ref, 'key')) }] : [];
    }),
  );
}
