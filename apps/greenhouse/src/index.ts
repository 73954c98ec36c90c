import { cacheStorage, cacheVolume, componentLabels, containerResources, deployment, kindClaim, kindResources, onCacheNode, policyException, quantity, service } from '@kubevirt-ci/kube';
import { defineApp, prowNamespace, serviceHost, type ServiceRef } from '@kubevirt-ci/topology';
import { z } from 'zod';
import { evictionFlags } from './flags.ts';

export { evictionFlags, maxFloorPercent } from './flags.ts';

const name = 'greenhouse';
const dataDir = '/data';

/**
 * Where jobs reach the cache. Job scripts (KubeVirt's hack/ among them) default to
 * bazel-cache.kubevirt-prow, so the Service keeps that name and namespace.
 */
export const cacheService = { namespace: prowNamespace, name: 'bazel-cache', port: 8080 } as const satisfies ServiceRef;
const metricsPort = 9090;

/** The label a job sets to use the cache. */
export const bazelCachePreset = 'preset-bazel-cache';

/**
 * The series greenhouse exports on /prometheus, as kubernetes/test-infra's greenhouse/metrics.go
 * registers them (the disk gauges in GB). Its names are crossed: the counter it increments on
 * an action-cache hit is bazel_cache_cas_hits, and on a CAS hit bazel_cache_action_hits, so
 * a hit ratio sums both kinds.
 */
export const greenhouseMetrics = {
  diskUsedGB: 'bazel_cache_disk_used',
  diskTotalGB: 'bazel_cache_disk_total',
  hits: ['bazel_cache_cas_hits', 'bazel_cache_action_hits'],
  misses: ['bazel_cache_cas_misses', 'bazel_cache_action_misses'],
} as const;

const values = z
  .object({
    storage: cacheStorage.default({ type: 'claim', size: '700Gi' }),
    /** Run on the node labelled and tainted ci.kubevirt.io/cachenode. */
    onCacheNode: z.boolean().default(true),
    freeSpace: z
      .object({
        floorPercent: z.number().int().min(1).max(90).default(30),
        minimum: quantity.default('20Gi'),
        evictionStepPercent: z.number().int().min(1).max(20).default(5),
      })
      .strict()
      .prefault({}),
    resources: containerResources.default({ requests: { cpu: '1200m', memory: '3Gi' }, limits: { memory: '3Gi' } }),
  })
  .strict();

export const app = defineApp({
  name,
  component: 'Bazel cache (greenhouse)',
  description: 'speeds up the builds that use bazel',
  values,
  kindValues: { storage: kindClaim('2Gi'), freeSpace: { minimum: '200Mi' }, resources: kindResources() },

  namespaces: () => [prowNamespace],

  render: (scope, { topology, values: v }) => {
    const labels = componentLabels(name, name);
    const flags = evictionFlags(v.storage.size, v.freeSpace);
    const volume = cacheVolume(scope, { name, namespace: prowNamespace, volume: 'cache', storage: v.storage, labels });
    deployment(scope, {
      name,
      namespace: prowNamespace,
      labels,
      // One pod owns the ReadWriteOnce volume.
      recreate: true,
      annotations: policyException('identical-probes', 'the cache answers 400 on / and has no health endpoint, so a TCP connect is the one check for liveness and readiness alike'),
      pod: {
        ...(v.onCacheNode ? onCacheNode() : {}),
        containers: [
          {
            name,
            image: topology.versions.greenhouse,
            args: [
              `--dir=${dataDir}`,
              `--cache-port=${cacheService.port}`,
              `--metrics-port=${metricsPort}`,
              `--min-percent-blocks-free=${flags.minPercentBlocksFree}`,
              `--evict-until-percent-blocks-free=${flags.evictUntilPercentBlocksFree}`,
            ],
            ports: [
              { name: 'cache', containerPort: cacheService.port },
              { name: 'metrics', containerPort: metricsPort },
            ],
            // The cache answers 400 on /, and has no health endpoint: check that it listens.
            readinessProbe: { tcpSocket: { port: 'cache' }, periodSeconds: 10 },
            livenessProbe: { tcpSocket: { port: 'cache' }, initialDelaySeconds: 30, periodSeconds: 30, failureThreshold: 4 },
            resources: v.resources,
            volumeMounts: [{ name: 'cache', mountPath: dataDir }],
          },
        ],
        volumes: [volume],
      },
    });
    service(scope, {
      name: cacheService.name,
      namespace: cacheService.namespace,
      labels,
      selector: labels,
      ports: [
        { name: 'cache', port: cacheService.port, targetPort: 'cache' },
        { name: 'metrics', port: metricsPort, targetPort: 'metrics' },
      ],
    });
  },

  // greenhouse serves its metrics under /prometheus, not /metrics.
  metrics: () => [{ name, namespace: cacheService.namespace, selector: componentLabels(name, name), port: 'metrics', path: '/prometheus', description: 'the bazel cache' }],

  jobPresets: () => [
    {
      label: bazelCachePreset,
      description: 'points bazel at the cluster\'s bazel cache',
      env: [
        { name: 'BAZEL_REMOTE_CACHE_ENABLED', value: 'true' },
        { name: 'CACHE_HOST', value: serviceHost(cacheService) },
        { name: 'CACHE_PORT', value: String(cacheService.port) },
      ],
      volumes: [],
      volumeMounts: [],
      services: [cacheService],
    },
  ],
});
