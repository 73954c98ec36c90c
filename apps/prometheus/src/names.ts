import { componentLabels } from '@kubevirt-ci/kube';
import type { Cluster, NamespaceName, ServiceRef } from '@kubevirt-ci/topology';

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
 * Every StoreAPI on the hub (sidecar, receive, store gateway) speaks mutual TLS: Thanos query
 * presents the same kind of certificate it checks. One Secret on the hub holds a certificate
 * for both server and client use, signed by the monitoring CA kept in the secrets bundle.
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

/**
 * How a cluster other than the hub sends its metrics: its Prometheus remote-writes to the hub's
 * Thanos receive, through the hub's ingress, presenting a client certificate. Nothing on that
 * cluster listens for the hub, so nothing there needs a load balancer or an allow-list of the
 * hub's addresses; the hub's ingress admits only the writers' certificates.
 */
export const remoteWrite = {
  /** The exposed service on the hub; its host and port are in the topology's facts. */
  exposed: 'thanos-receive',
  /** Thanos receive's remote-write handler (pkg/receive/handler.go, v0.42.4). */
  path: '/api/v1/receive',
  /** The writer's client certificate and key, on each writing cluster. */
  secret: 'prometheus-remote-write-tls',
  keys: ['tls.crt', 'tls.key'],
  /** The writers' CA certificate, on the hub, for its ingress to verify them with. */
  clientCaSecret: 'thanos-receive-client-ca',
} as const;

/** The Common Name of the client certificate a cluster's Prometheus writes to the hub with. */
export function remoteWriterName(cluster: Pick<Cluster, 'name'>): string {
  return `prometheus.${cluster.name}`;
}

/** The DNS names the hub's gRPC certificate carries: one wildcard covers the sidecar, receive and the store gateway. */
export function grpcCertificateNames(): string[] {
  return [`*.${namespace}.svc`];
}
