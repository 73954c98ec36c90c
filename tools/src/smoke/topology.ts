import { enable, mergeValues, type AppBinding, type ClusterSpec, type ExposedService, type Topology } from '@kubevirt-ci/topology';
import { fakeGcsHost, fakeGitHubApi, prowFakes } from './fakes.ts';

/** The IngressClass of the ingress-nginx controller the smoke test installs on kind. */
export const kindIngressClass = 'nginx';

/** The domain of the test hostnames on kind; nothing resolves it outside the clusters. */
export const kindDomain = 'kubevirt-ci.test';

/** The name of a kind cluster's node container, which the other cluster's pods resolve. */
export function kindNode(cluster: string): string {
  return `${cluster}-control-plane`;
}

export interface KindOptions {
  /** Where the clusters read this repository: the smoke test's git server. */
  readonly repoURL: string;
  readonly revision: string;
  /**
   * The hub's kind node on the docker network, where its ingress controller listens; the
   * workloads clusters' Prometheus reach the hub's Thanos receive there, as no DNS serves the
   * test domain. Unknown before the clusters exist (the unit tests pass a documentation address).
   */
  readonly hubAddress: string;
}

/**
 * The repository's topology as the smoke test deploys it on kind: the same apps on the same
 * clusters, with each app's kindValues (next to its values schema; cert-manager's is a private
 * CA), test hostnames, the kind ingress controller, the workloads clusters' Prometheus
 * writing to the hub's node, trusting the private CA, and Prow against Prow's own fakes of
 * GitHub and GCS (`fakes.ts`), next to it on the hub. Argo CD reads it from the smoke test's
 * git server.
 */
export function kindTopology(base: Topology, o: KindOptions): Topology {
  const exposedServices = Object.fromEntries(
    Object.entries(base.exposedServices).map(([name, ex]): [string, ExposedService] => [name, { ...ex, host: ex.host.replace(base.publicDomain, kindDomain) }]),
  );
  const kindValues = (b: AppBinding): AppBinding => {
    const values = mergeValues(b.values, b.app.kindValues ?? {});
    return { ...b, values: b.app.name === 'prow' ? mergeValues(values, { fakes: { gcsEmulatorHost: fakeGcsHost } }) : values };
  };
  return {
    ...base,
    gitops: { ...base.gitops, repoURL: o.repoURL, targetRevision: o.revision },
    exposedServices,
    publicDomain: kindDomain,
    external: { ...base.external, github: { ...base.external.github, api: fakeGitHubApi } },
    apps: [...base.apps, prowFakes],
    roles: base.roles.map((role) => {
      const monitored = role.apps.some((b) => b.app.name === 'prometheus');
      const prow = role.apps.some((b) => b.app.name === 'prow');
      return {
        ...role,
        apps: [...role.apps.map(kindValues), ...(prow ? [enable(prowFakes)] : [])],
        clusters: role.clusters.map(
          (c): ClusterSpec => ({
            ...c,
            ...(c.exposes.length > 0 ? { ingressClassName: kindIngressClass } : {}),
            ...(monitored && !role.hub
              ? { values: mergeValues(c.values ?? {}, { prometheus: { prometheus: { remoteWrite: { hostAddress: o.hubAddress, privateServerCa: true } } } }) as Record<string, unknown> }
              : {}),
          }),
        ),
      };
    }),
  };
}
