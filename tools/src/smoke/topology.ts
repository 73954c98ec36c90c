import { defaultResources as prowResources } from '@kubevirt-ci/app-prow';
import { mergeValues, publicDomain, type ClusterSpec, type ExposedService, type Topology } from '@kubevirt-ci/topology';

/** The IngressClass of the ingress-nginx controller the smoke test installs on kind. */
export const kindIngressClass = 'nginx';

/** The domain of the test hostnames on kind; nothing resolves it outside the clusters. */
export const kindDomain = 'kubevirt-ci.test';

/** The node port a workloads cluster serves its sidecar's StoreAPI on, for the hub's Thanos. */
export const kindSidecarNodePort = 30901;

/** The name of a kind cluster's node container, which the other cluster's pods resolve. */
export function kindNode(cluster: string): string {
  return `${cluster}-control-plane`;
}

/**
 * Requests small enough for two kind clusters on one CI runner; limits stay roomy, since
 * nothing schedules by them.
 */
const small = (memoryLimit = '1Gi') => ({ requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: memoryLimit } });
const claim = (size: string) => ({ type: 'claim', size });

/** The values every cluster gets on kind, by app: small volumes on kind's default storage class, small requests. */
const kindValues: Readonly<Record<string, unknown>> = {
  'cert-manager': { issuer: 'selfSigned' },
  greenhouse: { storage: claim('2Gi'), freeSpace: { minimum: '200Mi' }, resources: small() },
  'docker-proxy': { storage: claim('2Gi'), resources: small() },
  'ci-search': { volumeSize: '1Gi', resources: small('2Gi') },
  prow: {
    ghproxy: { storage: claim('2Gi') },
    resources: Object.fromEntries(Object.keys(prowResources).map((c) => [c, small()])),
  },
  prometheus: {
    prometheus: { retentionDays: 1, growthPerDay: '200Mi', storage: claim('2Gi'), resources: small('2Gi'), sidecarResources: small() },
    alertmanager: { resources: small() },
    exporters: { nodeExporter: small(), kubeStateMetrics: small(), blackboxExporter: small() },
  },
  thanos: {
    query: { resources: small() },
    queryFrontend: { resources: small() },
    store: { storage: { size: '1Gi' }, resources: small() },
    compact: { storage: { size: '6Gi' }, resources: small() },
  },
  grafana: { resources: small() },
};

export interface KindOptions {
  /** Where the clusters read this repository: the smoke test's git server. */
  readonly repoURL: string;
  readonly revision: string;
}

/**
 * The repository's topology as the smoke test deploys it on kind: the same apps on the same
 * clusters, with values for kind (see kindValues), a self-signed issuer, test hostnames, the
 * kind ingress controller, and the workloads clusters' sidecars on a node port. Argo CD reads
 * it from the smoke test's git server.
 */
export function kindTopology(base: Topology, o: KindOptions): Topology {
  const exposedServices = Object.fromEntries(
    Object.entries(base.exposedServices).map(([name, ex]): [string, ExposedService] => [name, { ...ex, host: ex.host.replace(publicDomain, kindDomain) }]),
  );
  return {
    ...base,
    gitops: { ...base.gitops, repoURL: o.repoURL, targetRevision: o.revision },
    exposedServices,
    roles: base.roles.map((role) => {
      const monitored = role.apps.some((b) => b.app.name === 'prometheus');
      return {
        ...role,
        apps: role.apps.map((b) => ({ ...b, values: mergeValues(b.values, kindValues[b.app.name] ?? {}) })),
        clusters: role.clusters.map(
          (c): ClusterSpec => ({
            ...c,
            ...(c.exposes.length > 0 ? { ingressClassName: kindIngressClass } : {}),
            ...(monitored && !role.hub
              ? { values: mergeValues(c.values ?? {}, { prometheus: { prometheus: { sidecarNodePort: { host: kindNode(c.name), port: kindSidecarNodePort } } } }) as Record<string, unknown> }
              : {}),
          }),
        ),
      };
    }),
  };
}
