import { here, recordSource } from '../source.ts';

/** A web service reachable from outside its cluster, over TLS. */
export interface ExposedService {
  readonly description: string;
  /** The public DNS name. */
  readonly host: string;
  /** Where the Service behind it runs. */
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  /**
   * Only clients with a certificate its ingress verifies get through; one without gets 400
   * from the ingress controller (nginx answers its 496 "no certificate" with status 400:
   * ngx_http_error_496_page in src/http/ngx_http_special_response.c).
   */
  readonly clientCertificates?: true;
}

/** The DNS domain every public name of the infrastructure lives under. */
export const publicDomain = 'ci.kubevirt.io';

/** Every public hostname, declared once; ingresses and certificates take them from here. */
export const exposedServices = recordSource(
  {
    deck: {
      description: 'Prow UI',
      host: `prow.${publicDomain}`,
      namespace: 'kubevirt-prow',
      service: 'deck',
      port: 80,
    },
    gcsweb: {
      description: 'browses the GCS bucket of build results',
      host: `gcsweb.${publicDomain}`,
      namespace: 'kubevirt-prow',
      service: 'gcsweb',
      port: 80,
    },
    grafana: {
      description: 'dashboards over every cluster\'s metrics',
      host: `grafana.${publicDomain}`,
      namespace: 'monitoring',
      service: 'grafana',
      port: 3000,
    },
    'ci-search': {
      description: 'queries CI build logs',
      host: `search.${publicDomain}`,
      namespace: 'ci-search',
      service: 'ci-search',
      port: 80,
    },
    'thanos-receive': {
      description: "takes the other clusters' metrics (Prometheus remote write), from their client certificates only",
      host: `thanos-receive.${publicDomain}`,
      namespace: 'monitoring',
      service: 'thanos-receive',
      // Thanos receive's own default for --remote-write.address (cmd/thanos/receive.go, v0.42.4).
      port: 19291,
      clientCertificates: true,
    },
  } satisfies Record<string, ExposedService>,
  here(import.meta.url),
);

export type ExposedServiceName = keyof typeof exposedServices;

/** The Secret cert-manager writes an exposed service's certificate into. */
export function tlsSecretName(name: string): string {
  return `${name}-tls`;
}

/** An exposed service by name; throws with the names there are when it is not declared. */
export function exposedService(t: { readonly exposedServices: Readonly<Record<string, ExposedService>> }, name: string): ExposedService {
  const ex = t.exposedServices[name];
  if (!ex) throw new Error(`no exposed service "${name}" is declared (there are: ${Object.keys(t.exposedServices).join(', ')}); declare it in packages/topology/src/facts/exposed.ts`);
  return ex;
}
