import {
  app as prometheusApp,
  grpcTls,
  prometheusOn,
  namespace,
  objstoreSecret,
  renderAlertRules,
  replicaLabel,
  sidecarAddress,
  thanosPorts,
  type AlertGroup,
} from '@kubevirt-ci/app-prometheus';
import { componentLabels, containerResources, deployment, kindResources, quantity, restrictedPod, service, statefulSet } from '@kubevirt-ci/kube';
import { defineApp, enabledOn, serviceHost, TopologyError, type Cluster, type Flow, type MetricsEndpoint, type ResolvedTopology, type ServiceRef } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import type { IContainer, IVolume, IVolumeMount } from 'kubernetes-models/v1';
import { z } from 'zod';
import { compactVolumeProblems, retentionProblems } from './retention.ts';

export { compactScratch, downsampleAfterDays, largestBlockDays, retentionProblems } from './retention.ts';

const name = 'thanos';

/** Grafana's datasource: the query-frontend, which splits and caches long range queries. */
export const queryFrontendService = { namespace, name: 'thanos-query-frontend', port: 9090 } as const satisfies ServiceRef;
const queryService = { namespace, name: 'thanos-query', port: thanosPorts.http } as const satisfies ServiceRef;
const storeService = { namespace, name: 'thanos-store', port: thanosPorts.grpc } as const satisfies ServiceRef;

const claim = z.object({ size: quantity, storageClassName: z.string().min(1).optional() }).strict();

const values = z
  .object({
    query: z
      .object({
        replicas: z.number().int().min(1).default(2),
        resources: containerResources.default({ requests: { cpu: '200m', memory: '1Gi' }, limits: { memory: '2Gi' } }),
      })
      .strict()
      .prefault({}),
    queryFrontend: z
      .object({
        /** Long range queries are split into pieces this long, run in parallel and cached. */
        splitInterval: z.string().regex(/^\d+h$/, 'must be hours, such as 12h').default('12h'),
        resources: containerResources.default({ requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } }),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        /** Index headers and caches of the bucket's blocks. */
        storage: claim.default({ size: '50Gi' }),
        resources: containerResources.default({ requests: { cpu: '200m', memory: '2Gi' }, limits: { memory: '4Gi' } }),
      })
      .strict()
      .prefault({}),
    compact: z
      .object({
        retention: z
          .object({ rawDays: z.number().int().min(1).default(7), fiveMinuteDays: z.number().int().min(1).default(30), oneHourDays: z.number().int().min(1).default(365) })
          .strict()
          .prefault({}),
        storage: claim.default({ size: '300Gi' }),
        resources: containerResources.default({ requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '4Gi' } }),
      })
      .strict()
      .prefault({}),
  })
  .strict();
type Values = z.output<typeof values>;

const thanosDir = '/etc/thanos';
const tlsDir = `${thanosDir}/tls`;
const objstoreDir = `${thanosDir}/objstore`;
const tlsVolume: IVolume = { name: 'grpc-tls', secret: { secretName: grpcTls.secret, defaultMode: 0o440 } };
const tlsMount: IVolumeMount = { name: 'grpc-tls', mountPath: tlsDir, readOnly: true };
const objstoreVolume: IVolume = { name: 'objstore', secret: { secretName: objstoreSecret.name, defaultMode: 0o440 } };
const objstoreMount: IVolumeMount = { name: 'objstore', mountPath: objstoreDir, readOnly: true };
const objstoreFlag = `--objstore.config-file=${objstoreDir}/${objstoreSecret.key}`;
const addressFlags = [`--http-address=0.0.0.0:${thanosPorts.http}`, `--grpc-address=0.0.0.0:${thanosPorts.grpc}`];

/** The clusters whose Prometheus runs a sidecar: every cluster enabling the prometheus app. */
export function monitoredClusters(t: Pick<ResolvedTopology, 'clusters'>): Cluster[] {
  return t.clusters.filter((c) => enabledOn(c, prometheusApp));
}

/**
 * Every StoreAPI the query fans out to: each monitored cluster's sidecar (in-cluster on the
 * hub, through its public name elsewhere) and the store gateway over the bucket.
 */
export function storeEndpoints(t: Pick<ResolvedTopology, 'clusters' | 'publicDomain'>): string[] {
  return [...monitoredClusters(t).map((c) => sidecarAddress(t, c)), `${serviceHost(storeService)}:${storeService.port}`];
}

function thanosContainer(role: string, image: string, args: string[], resources: Values['query']['resources'], mounts: IVolumeMount[]): IContainer {
  return {
    name: role,
    image,
    args: [role, ...args],
    ports: [
      { name: 'http', containerPort: thanosPorts.http },
      { name: 'grpc', containerPort: thanosPorts.grpc },
    ],
    readinessProbe: { httpGet: { port: 'http', path: '/-/ready' }, periodSeconds: 10 },
    livenessProbe: { httpGet: { port: 'http', path: '/-/healthy' }, initialDelaySeconds: 10, periodSeconds: 30, failureThreshold: 4 },
    resources,
    volumeMounts: mounts,
  };
}

const labelsOf = (component: string) => componentLabels(name, component);

function renderComponents(scope: Construct, t: ResolvedTopology, v: Values): void {
  const image = t.versions.thanos;
  // Thanos images run as uid 1001.
  const securityContext = restrictedPod(1001);
  const tlsClient = ['--grpc-client-tls-secure', `--grpc-client-tls-cert=${tlsDir}/tls.crt`, `--grpc-client-tls-key=${tlsDir}/tls.key`, `--grpc-client-tls-ca=${tlsDir}/ca.crt`];
  const tlsServer = [`--grpc-server-tls-cert=${tlsDir}/tls.crt`, `--grpc-server-tls-key=${tlsDir}/tls.key`, `--grpc-server-tls-client-ca=${tlsDir}/ca.crt`];

  const query = labelsOf(queryService.name);
  deployment(scope, {
    name: queryService.name,
    namespace,
    labels: query,
    replicas: v.query.replicas,
    service: { ports: [{ name: 'http', port: queryService.port, targetPort: 'http' }] },
    ...(v.query.replicas > 1 ? { budget: { maxUnavailable: 1 } } : {}),
    pod: {
      securityContext,
      containers: [
        thanosContainer(
          'query',
          image,
          [...addressFlags, `--query.replica-label=${replicaLabel}`, ...storeEndpoints(t).map((e) => `--endpoint=${e}`), ...tlsClient],
          v.query.resources,
          [tlsMount],
        ),
      ],
      volumes: [tlsVolume],
    },
  });

  const frontend = labelsOf(queryFrontendService.name);
  const cache = { type: 'IN-MEMORY', config: { max_size: '256MB', max_size_items: 0, validity: '0s' } };
  deployment(scope, {
    name: queryFrontendService.name,
    namespace,
    labels: frontend,
    pod: {
      securityContext,
      containers: [
        thanosContainer(
          'query-frontend',
          image,
          [
            `--http-address=0.0.0.0:${thanosPorts.http}`,
            `--query-frontend.downstream-url=http://${serviceHost(queryService)}:${queryService.port}`,
            `--query-range.split-interval=${v.queryFrontend.splitInterval}`,
            `--query-range.response-cache-config=${JSON.stringify(cache)}`,
            '--query-range.max-retries-per-request=3',
            '--query-frontend.compress-responses',
          ],
          v.queryFrontend.resources,
          [],
        ),
      ],
    },
  });
  service(scope, { name: queryFrontendService.name, namespace, labels: frontend, selector: frontend, ports: [{ name: 'http', port: queryFrontendService.port, targetPort: 'http' }] });

  const store = labelsOf(storeService.name);
  statefulSet(scope, {
    name: storeService.name,
    namespace,
    labels: store,
    serviceName: storeService.name,
    volumeClaims: [{ name: 'data', size: v.store.storage.size, ...(v.store.storage.storageClassName ? { storageClassName: v.store.storage.storageClassName } : {}) }],
    pod: {
      securityContext,
      containers: [thanosContainer('store', image, [...addressFlags, '--data-dir=/var/thanos/store', objstoreFlag, ...tlsServer], v.store.resources, [{ name: 'data', mountPath: '/var/thanos/store' }, tlsMount, objstoreMount])],
      volumes: [tlsVolume, objstoreVolume],
    },
  });
  service(scope, {
    name: storeService.name,
    namespace,
    labels: store,
    selector: store,
    ports: [
      { name: 'grpc', port: storeService.port, targetPort: 'grpc' },
      { name: 'http', port: thanosPorts.http, targetPort: 'http' },
    ],
  });

  const compact = labelsOf('thanos-compact');
  const r = v.compact.retention;
  statefulSet(scope, {
    name: 'thanos-compact',
    namespace,
    labels: compact,
    serviceName: 'thanos-compact',
    // Exactly one: two compactors on one bucket corrupt it.
    replicas: 1,
    volumeClaims: [{ name: 'data', size: v.compact.storage.size, ...(v.compact.storage.storageClassName ? { storageClassName: v.compact.storage.storageClassName } : {}) }],
    pod: {
      securityContext,
      containers: [
        thanosContainer(
          'compact',
          image,
          [
            '--wait',
            `--http-address=0.0.0.0:${thanosPorts.http}`,
            '--data-dir=/var/thanos/compact',
            objstoreFlag,
            `--retention.resolution-raw=${r.rawDays}d`,
            `--retention.resolution-5m=${r.fiveMinuteDays}d`,
            `--retention.resolution-1h=${r.oneHourDays}d`,
            `--deduplication.replica-label=${replicaLabel}`,
            '--delete-delay=48h',
            '--compact.concurrency=1',
          ],
          v.compact.resources,
          [{ name: 'data', mountPath: '/var/thanos/compact' }, objstoreMount],
        ),
      ],
      volumes: [objstoreVolume],
    },
  });
  service(scope, { name: 'thanos-compact', namespace, labels: compact, selector: compact, ports: [{ name: 'http', port: thanosPorts.http, targetPort: 'http' }] });
}

/** What the hub's Prometheus watches in Thanos itself. */
function thanosAlerts(endpoints: number): AlertGroup[] {
  return [
    {
      name: 'thanos',
      rules: [
        {
          alert: 'ThanosCompactHalted',
          expr: 'thanos_compact_halted == 1',
          for: '5m',
          severity: 'critical',
          summary: 'Thanos compact has halted on an error: the bucket is neither compacted, downsampled nor trimmed to its retention.',
        },
        {
          alert: 'ThanosCompactDown',
          expr: 'absent(up{job="thanos-compact"} == 1)',
          for: '15m',
          severity: 'critical',
          summary: 'Thanos compact is not running.',
        },
        {
          alert: 'ThanosQueryStoresMissing',
          expr: `sum by (pod) (thanos_store_nodes_grpc_connections{job="${queryService.name}"}) < ${endpoints}`,
          for: '15m',
          severity: 'warning',
          summary: `Thanos query {{ $labels.pod }} reaches {{ $value }} of its ${endpoints} StoreAPIs; a cluster's metrics are missing from Grafana.`,
        },
      ],
    },
  ];
}

export const app = defineApp({
  name,
  component: 'Thanos',
  description: "one query over every cluster's Prometheus and the bucket's history, its downsampling and retention",
  values,
  kindValues: {
    query: { resources: kindResources() },
    queryFrontend: { resources: kindResources() },
    store: { storage: { size: '1Gi' }, resources: kindResources() },
    compact: { storage: { size: '6Gi' }, resources: kindResources() },
  },
  requires: [prometheusApp.name],

  namespaces: () => [namespace],

  render: (scope, { topology, cluster, values: v }) => {
    const where = { file: cluster.source, object: `app "${name}" on cluster "${cluster.name}"` };
    const growth = monitoredClusters(topology).flatMap((c) => prometheusOn(c)?.growthPerDay ?? []);
    const problems = [...retentionProblems(where, v.compact.retention), ...compactVolumeProblems(where, v.compact.storage.size, growth)];
    if (problems.length > 0) throw new TopologyError(problems);
    renderComponents(scope, topology, v);
    renderAlertRules(scope, 'thanos-alerts', thanosAlerts(storeEndpoints(topology).length));
  },

  metrics: () =>
    [queryService.name, queryFrontendService.name, storeService.name, 'thanos-compact'].map(
      (svc): MetricsEndpoint => ({ name: svc, namespace, selector: labelsOf(svc), port: 'http', description: `Thanos ${svc.slice('thanos-'.length)}` }),
    ),

  flows: ({ topology, cluster }) => [
    { kind: 'storage', label: 'reads, compacts and downsamples blocks', direction: 'out', peer: { bucket: 'thanos-blocks' } },
    ...monitoredClusters(topology)
      .filter((c) => c.name !== cluster.name)
      .map((c): Flow => ({ kind: 'metrics', label: 'queries its sidecar (StoreAPI, mutual TLS)', direction: 'out', peer: { cluster: c.name, component: prometheusApp.component } })),
  ],
});
