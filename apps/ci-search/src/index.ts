import { componentLabels, containerResources, exposedIngress, kindResources, restrictedPod, statefulSet } from '@kubevirt-ci/kube';
import { bucketName, ciSearchImage, defineApp, exposedService } from '@kubevirt-ci/topology';
import { z } from 'zod';

const name = 'ci-search';
const dataDir = '/var/lib/ci-search/';
const listenPort = 8080;

const values = z
  .object({
    replicas: z.number().int().min(2).default(2),
    volumeSize: z.string().default('50Gi'),
    storageClassName: z.string().min(1).optional(),
    /** How often it indexes new job results, and how long it keeps them. */
    interval: z.string().regex(/^\d+[mh]$/).default('10m'),
    maxAge: z.string().regex(/^\d+h$/).default('672h'),
    resources: containerResources.default({ requests: { cpu: '100m', memory: '3Gi' }, limits: { memory: '8Gi' } }),
  })
  .strict();

/**
 * ci-search's flags, each defined in cmd/search/main.go at versions.ciSearch.commit; the deck it
 * links to and the bucket it indexes come from the topology.
 */
export function searchArgs(deckHost: string, bucket: string, v: Pick<z.output<typeof values>, 'interval' | 'maxAge'>): string[] {
  return [
    `--path=${dataDir}`,
    `--listen=:${listenPort}`,
    `--interval=${v.interval}`,
    `--max-age=${v.maxAge}`,
    `--deck-uri=https://${deckHost}/`,
    `--job-uri-prefix=https://${deckHost}/view/gs/`,
    `--index-bucket=${bucket}`,
  ];
}

export const app = defineApp({
  name,
  component: 'ci-search',
  description: 'allows us to query CI build logs',
  values,
  kindValues: { volumeSize: '1Gi', resources: kindResources('2Gi') },

  namespaces: ({ topology }) => [exposedService(topology, name).namespace],

  render: (scope, { topology, cluster, values: v }) => {
    const exposed = exposedService(topology, name);
    const namespace = exposed.namespace;
    const labels = componentLabels(name, name);
    statefulSet(scope, {
      name,
      namespace,
      labels,
      replicas: v.replicas,
      serviceName: exposed.service,
      service: { name: exposed.service, ports: [{ name: 'http', port: exposed.port, targetPort: 'http' }] },
      budget: { minAvailable: 1 },
      volumeClaims: [{ name: 'index', size: v.volumeSize, ...(v.storageClassName ? { storageClassName: v.storageClassName } : {}) }],
      pod: {
        // The image's user; fsGroup makes the index volume its own.
        securityContext: restrictedPod(1000, 1000),
        containers: [
          {
            name,
            image: ciSearchImage(topology.versions),
            command: ['/usr/bin/search'],
            args: searchArgs(exposedService(topology, 'deck').host, bucketName(topology, 'build-results'), v),
            ports: [{ name: 'http', containerPort: listenPort }],
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 15, timeoutSeconds: 5 },
            livenessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 30, periodSeconds: 30, failureThreshold: 4 },
            resources: v.resources,
            volumeMounts: [
              { name: 'index', mountPath: dataDir },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          },
        ],
        volumes: [{ name: 'tmp', emptyDir: {} }],
      },
    });
    exposedIngress(scope, cluster, name, exposed);
  },

  flows: () => [{ kind: 'storage', label: 'indexes build logs', direction: 'in', peer: { bucket: 'build-results' } }],
});
