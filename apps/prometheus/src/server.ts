import { Prometheus } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { IEmbeddedPersistentVolumeClaim } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/EmbeddedPersistentVolumeClaim';
import { cacheStorage, containerResources, emitModel, localPersistentVolume, onCacheNode, parseQuantity, quantity, restrictedPod, service } from '@kubevirt-ci/kube';
import { imageTag, TopologyError, type Cluster, type Versions } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import { z } from 'zod';
import {
  clusterLabel,
  grpcTls,
  labelsOf,
  namespace,
  objstoreSecret,
  operatedPodLabels,
  operatorSecretVolume,
  prometheusName,
  replicaLabel,
  sidecarService,
  thanosPorts,
} from './names.ts';

/** Share of the volume Prometheus may fill with blocks; the rest holds the WAL and compactions. */
export const blocksSharePercent = 85;

export const prometheusValues = z
  .object({
    replicas: z.number().int().min(1).max(2).default(1),
    /** How long blocks stay on the local volume; Thanos keeps the history in the bucket. */
    retentionDays: z.number().int().min(1).default(7),
    /** How much the TSDB grows a day on this cluster (prometheus_tsdb_storage_blocks_bytes). */
    growthPerDay: quantity.default('4Gi'),
    storage: cacheStorage.default({ type: 'claim', size: '100Gi' }),
    scrapeInterval: z.string().regex(/^\d+[sm]$/, 'must be a duration such as 30s').default('30s'),
    resources: containerResources.default({ requests: { cpu: '500m', memory: '4Gi' }, limits: { memory: '6Gi' } }),
    sidecarResources: containerResources.default({ requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } }),
    /**
     * Who may reach a remote cluster's sidecar LoadBalancer (CIDRs); mutual TLS guards it
     * either way, this narrows who can even connect. Empty: anyone.
     */
    sidecarSourceRanges: z.array(z.cidrv4()).default([]),
    /**
     * Serve the remote sidecar on this node port instead of a LoadBalancer, on a cluster that
     * has none (kind); the hub dials host:port.
     */
    sidecarNodePort: z.object({ host: z.string().min(1), port: z.number().int().min(30000).max(32767) }).strict().optional(),
  })
  .strict();
export type PrometheusValues = z.output<typeof prometheusValues>;

const gib = 1024 ** 3;
const inGi = (bytes: number) => `${Math.round((bytes / gib) * 10) / 10}Gi`;

/** The retentionSize Prometheus gets: the blocks' share of the volume, in whole GiB. */
export function retentionSize(volume: string): string {
  return `${Math.floor((parseQuantity(volume) * blocksSharePercent) / 100 / gib)}GiB`;
}

/**
 * Checks that the retention fits the volume: days of growth must stay within the blocks'
 * share of it, or Prometheus would drop data early at best and fill the disk at worst (it
 * did in production). Throws a problem naming the cluster's file and the field.
 */
export function checkRetention(cluster: Pick<Cluster, 'name' | 'source'>, v: Pick<PrometheusValues, 'retentionDays' | 'growthPerDay' | 'storage'>): void {
  const needed = v.retentionDays * parseQuantity(v.growthPerDay);
  const room = (parseQuantity(v.storage.size) * blocksSharePercent) / 100;
  if (needed <= room) return;
  const minimum = Math.ceil(needed / (blocksSharePercent / 100) / gib);
  throw new TopologyError([
    {
      file: cluster.source,
      object: `app "prometheus" on cluster "${cluster.name}"`,
      field: 'values.prometheus.retentionDays',
      message: `${v.retentionDays} days at ${v.growthPerDay} a day need ${inGi(needed)} of blocks, but a ${v.storage.size} volume holds ${inGi(room)} of them (${blocksSharePercent} %)`,
      fix: `give prometheus.storage.size at least ${minimum}Gi, or keep fewer days (Thanos keeps the history)`,
    },
  ]);
}

/** The claim the operator's StatefulSet makes for replica `ordinal`. */
function claimName(ordinal: number): string {
  return `prometheus-${prometheusName}-db-prometheus-${prometheusName}-${ordinal}`;
}

/**
 * Prometheus with its Thanos sidecar: the ServiceAccount it scrapes with, read-only access to
 * what it discovers, the resource itself, and the Services in front of the sidecar.
 */
export function renderPrometheus(scope: Construct, versions: Versions, cluster: Cluster, v: PrometheusValues): void {
  checkRetention(cluster, v);
  if (v.storage.type === 'local' && v.replicas > 1) {
    throw new TopologyError([
      {
        file: cluster.source,
        object: `app "prometheus" on cluster "${cluster.name}"`,
        field: 'values.prometheus.replicas',
        message: 'a local volume lives on one node and serves one replica',
        fix: 'run one replica on local storage, or use a claim',
      },
    ]);
  }
  const labels = labelsOf('prometheus');
  emitModel(scope, new ServiceAccount({ metadata: { name: 'prometheus', namespace, labels } }));
  // Discovery reads Services, endpoints and pods in every namespace it scrapes, and the kubelets'
  // metrics: the kubelet Service lives in kube-system, which no app of ours owns, so this is a
  // ClusterRole. It reads nothing else; Secrets and ConfigMaps are out of reach.
  emitModel(
    scope,
    new ClusterRole({
      metadata: { name: 'monitoring-prometheus', labels },
      rules: [
        { apiGroups: [''], resources: ['services', 'endpoints', 'pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        { nonResourceURLs: ['/metrics'], verbs: ['get'] },
      ],
    }),
  );
  emitModel(
    scope,
    new ClusterRoleBinding({
      metadata: { name: 'monitoring-prometheus', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'monitoring-prometheus' },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace }],
    }),
  );

  const storage = v.storage;
  if (storage.type === 'local') {
    localPersistentVolume(scope, { name: `${namespace}-prometheus`, size: storage.size, path: storage.path, claim: { namespace, name: claimName(0) }, labels });
  }
  const tlsVolume = operatorSecretVolume(grpcTls.secret);
  const tlsFile = (key: string) => `${tlsVolume.mountPath}/${key}`;
  const onlyMonitoring = { matchLabels: { 'kubernetes.io/metadata.name': namespace } };
  emitModel(
    scope,
    new Prometheus({
      metadata: { name: prometheusName, namespace, labels },
      spec: {
        replicas: v.replicas,
        image: versions.prometheus,
        version: imageTag(versions.prometheus),
        serviceAccountName: 'prometheus',
        externalLabels: { [clusterLabel]: cluster.name },
        replicaExternalLabelName: replicaLabel,
        scrapeInterval: v.scrapeInterval,
        evaluationInterval: v.scrapeInterval,
        retention: `${v.retentionDays}d`,
        retentionSize: retentionSize(storage.size),
        walCompression: true,
        resources: v.resources,
        podMetadata: { labels },
        securityContext: restrictedPod(65534),
        ...(storage.type === 'local' ? onCacheNode() : {}),
        // Only what the monitoring namespace declares is scraped and evaluated.
        serviceMonitorSelector: {},
        serviceMonitorNamespaceSelector: onlyMonitoring,
        podMonitorSelector: {},
        podMonitorNamespaceSelector: onlyMonitoring,
        probeSelector: {},
        probeNamespaceSelector: onlyMonitoring,
        ruleSelector: {},
        ruleNamespaceSelector: onlyMonitoring,
        alerting: { alertmanagers: [{ namespace, name: 'alertmanager-operated', port: 'web', apiVersion: 'v2' }] },
        storage: {
          // The generated type wants an apiVersion and kind the CRD leaves optional (see isModelErratum).
          volumeClaimTemplate: {
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: storage.size } },
              ...(storage.type === 'local' ? { storageClassName: '', volumeName: `${namespace}-prometheus` } : storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
            },
          } as unknown as IEmbeddedPersistentVolumeClaim,
        },
        secrets: [grpcTls.secret],
        thanos: {
          image: versions.thanos,
          version: imageTag(versions.thanos),
          objectStorageConfig: { name: objstoreSecret.name, key: objstoreSecret.key },
          grpcServerTlsConfig: { certFile: tlsFile('tls.crt'), keyFile: tlsFile('tls.key'), caFile: tlsFile('ca.crt') },
          // The operator mounts spec.secrets into the prometheus container only; the sidecar,
          // which reads these files, gets the same volume at the same path.
          volumeMounts: [tlsVolume],
          resources: v.sidecarResources,
        },
      },
    }),
  );

  const pods = operatedPodLabels('prometheus', prometheusName);
  service(scope, {
    name: sidecarService.name,
    namespace,
    labels: labelsOf('thanos-sidecar'),
    selector: pods,
    ports: [
      { name: 'grpc', port: thanosPorts.grpc, targetPort: 'grpc' },
      { name: 'http', port: thanosPorts.http, targetPort: 'http' },
    ],
  });
  if (!cluster.hub) {
    // The hub's Thanos query reaches this cluster's StoreAPI from outside; mutual TLS admits
    // only clients with a certificate from the monitoring CA.
    emitModel(
      scope,
      new Service({
        metadata: { name: `${sidecarService.name}-remote`, namespace, labels: labelsOf('thanos-sidecar-remote') },
        spec: v.sidecarNodePort
          ? {
              type: 'NodePort',
              selector: pods,
              ports: [{ name: 'grpc', port: thanosPorts.grpc, targetPort: 'grpc', protocol: 'TCP', nodePort: v.sidecarNodePort.port }],
            }
          : {
              type: 'LoadBalancer',
              selector: pods,
              ports: [{ name: 'grpc', port: thanosPorts.grpc, targetPort: 'grpc', protocol: 'TCP' }],
              ...(v.sidecarSourceRanges.length > 0 ? { loadBalancerSourceRanges: v.sidecarSourceRanges } : {}),
            },
      }),
    );
  }
}
