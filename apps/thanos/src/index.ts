import {
  app as prometheusApp,
  blocksSharePercent,
  grpcTls,
  prometheusOn,
  namespace,
  objstoreSecret,
  remoteWrite,
  remoteWriterName,
  renderAlertRules,
  replicaLabel,
  sidecarService,
  thanosPorts,
  type AlertGroup,
} from '@kubevirt-ci/app-prometheus';
import { authTlsSecretAnnotation, componentLabels, containerResources, deployment, exposedIngress, kindResources, quantity, restrictedPod, service, statefulSet } from '@kubevirt-ci/kube';
import { defineApp, enabledOn, exposedService, serviceHost, TopologyError, type Cluster, type Flow, type MetricsEndpoint, type Problem, type ResolvedTopology, type ServiceRef } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import type { IContainer, IServicePort, IVolume, IVolumeMount } from 'kubernetes-models/v1';
import { z } from 'zod';
import { compactVolumeProblems, receiveVolumeProblems, retentionProblems } from './retention.ts';

export { compactScratch, downsampleAfterDays, largestBlockDays, retentionProblems } from './retention.ts';

const name = 'thanos';

/** Grafana's datasource: the query-frontend, which splits and caches long range queries. */
export const queryFrontendService = { namespace, name: 'thanos-query-frontend', port: 9090 } as const satisfies ServiceRef;
const queryService = { namespace, name: 'thanos-query', port: thanosPorts.http } as const satisfies ServiceRef;
const storeService = { namespace, name: 'thanos-store', port: thanosPorts.grpc } as const satisfies ServiceRef;
const receiveService = { namespace, name: 'thanos-receive', port: thanosPorts.grpc } as const satisfies ServiceRef;

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
    /** Takes the other clusters' samples (remote write) and ships them to the bucket as 2-hour blocks. */
    receive: z
      .object({
        /** How long samples stay on receive's volume; the bucket keeps the history. */
        retentionDays: z.number().int().min(1).default(1),
        storage: claim.default({ size: '50Gi' }),
        resources: containerResources.default({ requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '4Gi' } }),
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

/** The monitored clusters other than the hub: their Prometheus remote-writes to the hub's receive. */
export function writingClusters(t: Pick<ResolvedTopology, 'clusters'>): Cluster[] {
  return monitoredClusters(t).filter((c) => !c.hub);
}

/**
 * Every StoreAPI the query fans out to, all in the hub's monitoring namespace: the hub's
 * sidecar, receive when other clusters write to it, and the store gateway over the bucket.
 */
export function storeEndpoints(t: Pick<ResolvedTopology, 'clusters'>): string[] {
  const address = (s: ServiceRef) => `${serviceHost(s)}:${s.port}`;
  return [address(sidecarService), ...(writingClusters(t).length > 0 ? [address(receiveService)] : []), address(storeService)];
}

/**
 * The ingress-nginx annotations (internal/ingress/annotations/authtls/main.go, controller-v1.13.0)
 * that admit only the writers: a certificate signed by the writers' CA, directly (depth 1), whose
 * subject is one writer's CN. The CN pattern is matched against nginx's $ssl_client_s_dn.
 */
export function receiveIngressAnnotations(writers: readonly Cluster[]): Record<string, string> {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    [authTlsSecretAnnotation]: `${namespace}/${remoteWrite.clientCaSecret}`,
    'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'on',
    'nginx.ingress.kubernetes.io/auth-tls-verify-depth': '1',
    'nginx.ingress.kubernetes.io/auth-tls-match-cn': `CN=(${writers.map((c) => escape(remoteWriterName(c))).join('|')})$`,
  };
}

function thanosContainer(role: string, image: string, args: string[], resources: Values['query']['resources'], mounts: IVolumeMount[], extra: Pick<IContainer, 'ports' | 'env'> = {}): IContainer {
  return {
    name: role,
    image,
    args: [role, ...args],
    ports: [{ name: 'http', containerPort: thanosPorts.http }, { name: 'grpc', containerPort: thanosPorts.grpc }, ...(extra.ports ?? [])],
    ...(extra.env ? { env: extra.env } : {}),
    readinessProbe: { httpGet: { port: 'http', path: '/-/ready' }, periodSeconds: 10 },
    livenessProbe: { httpGet: { port: 'http', path: '/-/healthy' }, initialDelaySeconds: 10, periodSeconds: 30, failureThreshold: 4 },
    resources,
    volumeMounts: mounts,
  };
}

const labelsOf = (component: string) => componentLabels(name, component);

/** The volume claim template of a component's data directory. */
const dataClaim = (c: z.output<typeof claim>) => ({ name: 'data', size: c.size, ...(c.storageClassName ? { storageClassName: c.storageClassName } : {}) });

/** The Service of a StoreAPI (gRPC) that also serves HTTP, and whatever else its pods serve. */
function storeApiService(scope: Construct, ref: ServiceRef, labels: Record<string, string>, extra: IServicePort[] = []): void {
  service(scope, {
    name: ref.name,
    namespace,
    labels,
    selector: labels,
    ports: [{ name: 'grpc', port: ref.port, targetPort: 'grpc' }, { name: 'http', port: thanosPorts.http, targetPort: 'http' }, ...extra],
  });
}

function renderComponents(scope: Construct, t: ResolvedTopology, cluster: Cluster, v: Values): void {
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
    volumeClaims: [dataClaim(v.store.storage)],
    pod: {
      securityContext,
      containers: [thanosContainer('store', image, [...addressFlags, '--data-dir=/var/thanos/store', objstoreFlag, ...tlsServer], v.store.resources, [{ name: 'data', mountPath: '/var/thanos/store' }, tlsMount, objstoreMount])],
      volumes: [tlsVolume, objstoreVolume],
    },
  });
  storeApiService(scope, storeService, store);

  const writers = writingClusters(t);
  if (writers.length > 0) {
    const exposed = exposedService(t, remoteWrite.exposed);
    const receive = labelsOf(receiveService.name);
    const dataDir = '/var/thanos/receive';
    statefulSet(scope, {
      name: receiveService.name,
      namespace,
      labels: receive,
      serviceName: receiveService.name,
      // One: without a hashring, each receive keeps what it is sent, so two behind one Service would each hold half.
      replicas: 1,
      volumeClaims: [dataClaim(v.receive.storage)],
      pod: {
        securityContext,
        containers: [
          thanosContainer(
            'receive',
            image,
            [
              ...addressFlags,
              `--remote-write.address=0.0.0.0:${exposed.port}`,
              `--tsdb.path=${dataDir}`,
              `--tsdb.retention=${v.receive.retentionDays}d`,
              // Receive refuses to start without an external label of its own (cmd/thanos/receive.go).
              '--label=receive_replica="$(POD_NAME)"',
              objstoreFlag,
              ...tlsServer,
            ],
            v.receive.resources,
            [{ name: 'data', mountPath: dataDir }, tlsMount, objstoreMount],
            {
              ports: [{ name: 'remote-write', containerPort: exposed.port }],
              env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            },
          ),
        ],
        volumes: [tlsVolume, objstoreVolume],
      },
    });
    storeApiService(scope, receiveService, receive, [{ name: 'remote-write', port: exposed.port, targetPort: 'remote-write' }]);
    exposedIngress(scope, cluster, remoteWrite.exposed, exposed, undefined, receiveIngressAnnotations(writers));
  }

  const compact = labelsOf('thanos-compact');
  const r = v.compact.retention;
  statefulSet(scope, {
    name: 'thanos-compact',
    namespace,
    labels: compact,
    serviceName: 'thanos-compact',
    // Exactly one: two compactors on one bucket corrupt it.
    replicas: 1,
    volumeClaims: [dataClaim(v.compact.storage)],
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
function thanosAlerts(endpoints: number, receives: boolean): AlertGroup[] {
  return [
    {
      name: 'thanos',
      rules: [
        ...(receives
          ? [
              {
                alert: 'ThanosReceiveDown',
                expr: `absent(up{job="${receiveService.name}"} == 1)`,
                for: '15m',
                severity: 'critical',
                summary: "Thanos receive is not running: the other clusters' samples pile up in their Prometheus's WAL and are missing from Grafana.",
              } as const,
              {
                alert: 'ThanosReceiveNotUploading',
                // The metric objstore exports under the thanos_ prefix receive gives it (cmd/thanos/receive.go, v0.42.4).
                expr: `time() - max(thanos_objstore_bucket_last_successful_upload_time{job="${receiveService.name}"}) > 4 * 3600`,
                for: '15m',
                severity: 'critical',
                summary: "Thanos receive has not uploaded a block for over 4 hours; the other clusters' history is only on its volume.",
              } as const,
            ]
          : []),
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
    receive: { storage: { size: '2Gi' }, resources: kindResources() },
    compact: { storage: { size: '6Gi' }, resources: kindResources() },
  },
  requires: [prometheusApp.name],

  namespaces: () => [namespace],

  render: (scope, { topology, cluster, values: v }) => {
    const where = { file: cluster.source, object: `app "${name}" on cluster "${cluster.name}"` };
    const growth = monitoredClusters(topology).flatMap((c) => prometheusOn(c)?.growthPerDay ?? []);
    const writers = writingClusters(topology);
    const problems = [
      ...retentionProblems(where, v.compact.retention),
      ...compactVolumeProblems(where, v.compact.storage.size, growth),
      ...receiveProblems(cluster, writers),
      ...(writers.length > 0 ? receiveVolumeProblems(where, v.receive.storage.size, v.receive.retentionDays, writers.flatMap((c) => prometheusOn(c)?.growthPerDay ?? []), blocksSharePercent) : []),
    ];
    if (problems.length > 0) throw new TopologyError(problems);
    renderComponents(scope, topology, cluster, v);
    renderAlertRules(scope, 'thanos-alerts', thanosAlerts(storeEndpoints(topology).length, writers.length > 0));
  },

  metrics: ({ topology }) =>
    [queryService.name, queryFrontendService.name, storeService.name, ...(writingClusters(topology).length > 0 ? [receiveService.name] : []), 'thanos-compact'].map(
      (svc): MetricsEndpoint => ({ name: svc, namespace, selector: labelsOf(svc), port: 'http', description: `Thanos ${svc.slice('thanos-'.length)}` }),
    ),

  provided: ({ topology }) => {
    const writers = writingClusters(topology);
    return writers.length > 0
      ? [
          {
            kind: 'Secret',
            namespace,
            name: remoteWrite.clientCaSecret,
            keys: ['ca.crt'],
            description: `the certificate of the CA that signs the writing clusters' client certificates (${writers.map(remoteWriterName).join(', ')}); the ingress admits a writer by it. Keep it apart from the monitoring CA, so that no StoreAPI certificate can write`,
          },
        ]
      : [];
  },

  flows: ({ topology }) => [
    { kind: 'storage', label: 'reads, compacts and downsamples blocks; receive uploads what it is sent', direction: 'out', peer: { bucket: 'thanos-blocks' } },
    ...writingClusters(topology).map((c): Flow => ({ kind: 'metrics', label: 'receives its samples (remote write, client certificate)', direction: 'in', peer: { cluster: c.name, component: prometheusApp.component } })),
  ],
});

/** Receive is reached through the hub's ingress: the hub exposes it exactly when other clusters write to it. */
function receiveProblems(cluster: Cluster, writers: readonly Cluster[]): Problem[] {
  const exposed = cluster.exposes.includes(remoteWrite.exposed);
  if (writers.length > 0 && !exposed) {
    return [{ file: cluster.source, object: `cluster "${cluster.name}"`, field: 'exposes', message: `${writers.map((c) => c.name).join(', ')} remote-write their metrics to this cluster's Thanos receive, but the cluster does not expose "${remoteWrite.exposed}"`, fix: `add "${remoteWrite.exposed}" to the cluster's exposes` }];
  }
  if (writers.length === 0 && exposed) {
    return [{ file: cluster.source, object: `cluster "${cluster.name}"`, field: 'exposes', message: `exposes "${remoteWrite.exposed}", but no other cluster runs Prometheus to write to it`, fix: `remove "${remoteWrite.exposed}" from the cluster's exposes` }];
  }
  return [];
}
