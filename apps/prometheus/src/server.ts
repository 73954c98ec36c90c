import { Prometheus } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { IEmbeddedPersistentVolumeClaim } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/EmbeddedPersistentVolumeClaim';
import { cacheStorage, containerResources, emitModel, localPersistentVolume, onCacheNode, parseQuantity, quantity, restrictedPod, service } from '@kubevirt-ci/kube';
import { exposedService, imageTag, TopologyError, type Cluster, type ResolvedTopology } from '@kubevirt-ci/topology';
import type { IRemoteWriteSpec } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/RemoteWriteSpec';
import type { Construct } from 'constructs';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ServiceAccount } from 'kubernetes-models/v1';
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
  remoteWrite,
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
    /** How this cluster's Prometheus reaches the hub's Thanos receive; on the hub, unused. */
    remoteWrite: z
      .object({
        /** Resolve the receive host to this address (kind, where no DNS serves the test domain). */
        hostAddress: z.ipv4().optional(),
        /**
         * Verify the hub's server certificate with the ca.crt in the writer's Secret instead of
         * the system's roots: for a hub whose ingress certificate a private CA signs (kind).
         */
        privateServerCa: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
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
 * Where a cluster other than the hub sends its samples: the hub's Thanos receive, as the
 * writer's client certificate names it (its CN is checked by the hub's ingress), at the
 * address the values pin its name to, if any.
 */
function writingToHub(t: Pick<ResolvedTopology, 'exposedServices'>, v: PrometheusValues['remoteWrite']): { remoteWrite: IRemoteWriteSpec[]; hostAliases?: { ip: string; hostnames: string[] }[] } {
  const host = exposedService(t, remoteWrite.exposed).host;
  const key = (k: string) => ({ name: remoteWrite.secret, key: k });
  const spec: IRemoteWriteSpec = {
    name: 'hub',
    url: `https://${host}${remoteWrite.path}`,
    tlsConfig: {
      cert: { secret: key('tls.crt') },
      keySecret: key('tls.key'),
      ...(v.privateServerCa ? { ca: { secret: key('ca.crt') } } : {}),
    },
  };
  return { remoteWrite: [spec], ...(v.hostAddress ? { hostAliases: [{ ip: v.hostAddress, hostnames: [host] }] } : {}) };
}

/** The keys of a writer's Secret: its certificate and key, and the CA of the hub's certificate where that is private. */
export function remoteWriteKeys(v: PrometheusValues['remoteWrite']): string[] {
  return [...remoteWrite.keys, ...(v.privateServerCa ? ['ca.crt'] : [])];
}

/**
 * Prometheus: the ServiceAccount it scrapes with, read-only access to what it discovers, the
 * resource itself; on the hub with its Thanos sidecar and the Service in front of it,
 * elsewhere remote-writing to the hub, so that nothing on that cluster listens for the hub.
 */
export function renderPrometheus(scope: Construct, topology: Pick<ResolvedTopology, 'versions' | 'exposedServices'>, cluster: Cluster, v: PrometheusValues): void {
  const { versions } = topology;
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
        ...(cluster.hub
          ? {
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
            }
          : writingToHub(topology, v.remoteWrite)),
      },
    }),
  );

  if (cluster.hub) {
    service(scope, {
      name: sidecarService.name,
      namespace,
      labels: labelsOf('thanos-sidecar'),
      selector: operatedPodLabels('prometheus', prometheusName),
      ports: [
        { name: 'grpc', port: thanosPorts.grpc, targetPort: 'grpc' },
        { name: 'http', port: thanosPorts.http, targetPort: 'http' },
      ],
    });
  }
}
