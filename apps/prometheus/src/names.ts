import { componentLabels } from '@kubevirt-ci/kube';
import { serviceHost, type Cluster, type NamespaceName, type ServiceRef, type Topology } from '@kubevirt-ci/topology';
import type { PrometheusValues } from './server.ts';

/** The app's name, under which clusters enable it. */
export const appName = 'prometheus';

/** Where the whole monitoring stack runs, on every cluster. */
export const namespace = 'monitoring' satisfies NamespaceName;

/** The labels of one component of the monitoring app's objects. */
export const labelsOf = (component: string) => componentLabels('prometheus', component);

/** The Prometheus and Alertmanager resources; prometheus-operator names what it creates after them. */
export const prometheusName = 'main';
export const alertmanagerName = 'main';

/** Labels prometheus-operator puts on the pods of a Prometheus (or Alertmanager) resource. */
export function operatedPodLabels(kind: 'prometheus' | 'alertmanager', name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': kind, 'app.kubernetes.io/instance': name };
}

/** The external label naming the cluster a series comes from; Thanos and Grafana group by it. */
export const clusterLabel = 'cluster';
/** The external label prometheus-operator gives each replica; Thanos query deduplicates on it. */
export const replicaLabel = 'prometheus_replica';

/** The ports every Thanos component serves: StoreAPI over gRPC, and HTTP (metrics, UI, APIs). */
export const thanosPorts = { grpc: 10901, http: 10902 } as const;

/** The in-cluster Service in front of the Thanos sidecar next to Prometheus. */
export const sidecarService = { namespace, name: 'thanos-sidecar', port: thanosPorts.grpc } as const satisfies ServiceRef;

/**
 * Every StoreAPI (sidecars, store gateway) speaks mutual TLS: Thanos query presents the same
 * kind of certificate it checks. One Secret per cluster holds a certificate for both server
 * and client use, signed by the monitoring CA kept in the secrets bundle.
 */
export const grpcTls = {
  secret: 'thanos-grpc-tls',
  keys: ['tls.crt', 'tls.key', 'ca.crt'],
} as const;

/**
 * Where prometheus-operator mounts a Secret listed in a Prometheus resource's `secrets`: into
 * the prometheus container only (pkg/prometheus/common.go, secretsDir), as a volume it names
 * "secret-<name>" (pkg/k8s/resource_namer.go), at versions.prometheusOperator (v0.93.1).
 */
export const operatorSecretsDir = '/etc/prometheus/secrets';

/** The volume prometheus-operator makes of a Secret in `secrets`, for mounting it elsewhere too. */
export function operatorSecretVolume(secret: string): { readonly name: string; readonly mountPath: string } {
  const name = `secret-${secret}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return { name, mountPath: `${operatorSecretsDir}/${secret}` };
}

/** The Thanos object-store configuration (objstore.yml), with the bucket's credentials. */
export const objstoreSecret = { name: 'thanos-objstore', key: 'objstore.yml' } as const;

/** The Slack incoming webhook Alertmanager posts to. */
export const slackSecret = { name: 'alertmanager-slack', key: 'webhook-url' } as const;

/** A node port the remote sidecar is served on instead of a LoadBalancer, and the host the hub dials. */
export interface SidecarNodePort {
  readonly host: string;
  readonly port: number;
}

type MonitoredCluster = Pick<Cluster, 'name' | 'hub' | 'apps'>;

function sidecarNodePort(cluster: MonitoredCluster): SidecarNodePort | undefined {
  // The app's own values, typed by its schema (index.ts's prometheusOn, which this module cannot import).
  return (cluster.apps.find((e) => e.app.name === appName)?.values as { prometheus: PrometheusValues } | undefined)?.prometheus.sidecarNodePort;
}

/** The public name a remote cluster's sidecar StoreAPI answers on (its LoadBalancer). */
export function remoteSidecarHost(t: Pick<Topology, 'publicDomain'>, cluster: Pick<Cluster, 'name'>): string {
  return `thanos-sidecar.${cluster.name}.${t.publicDomain}`;
}

/**
 * The StoreAPI address of a cluster's sidecar as the hub's Thanos query dials it: in-cluster
 * on the hub, elsewhere through the cluster's public name, or its node port where it has one.
 */
export function sidecarAddress(t: Pick<Topology, 'publicDomain'>, cluster: MonitoredCluster): string {
  if (cluster.hub) return `${serviceHost(sidecarService)}:${sidecarService.port}`;
  const nodePort = sidecarNodePort(cluster);
  return nodePort ? `${nodePort.host}:${nodePort.port}` : `${remoteSidecarHost(t, cluster)}:${sidecarService.port}`;
}

/** The DNS names a cluster's gRPC certificate must carry. */
export function grpcCertificateNames(t: Pick<Topology, 'publicDomain'>, cluster: MonitoredCluster): string[] {
  // On the hub, one wildcard covers the sidecar and the store gateway in the namespace.
  return cluster.hub ? [`*.${namespace}.svc`] : [sidecarNodePort(cluster)?.host ?? remoteSidecarHost(t, cluster)];
}
