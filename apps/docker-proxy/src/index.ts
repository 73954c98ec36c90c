import { cacheStorage, cacheVolume, certificateExporter, certificateExporterMetrics, componentLabels, containerResources, deployment, emitModel, kindClaim, kindResources, onCacheNode, policyException, service } from '@kubevirt-ci/kube';
import { defineApp, jobsNamespace, prowNamespace, serviceHost, serviceUrl, type ServiceRef } from '@kubevirt-ci/topology';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { z } from 'zod';
import { cacheMaxSize } from './cache.ts';

export { cacheMaxSize } from './cache.ts';

const name = 'docker-proxy';
const namespace = 'docker-proxy';
const cacheDir = '/docker_mirror_cache';

/** The proxy itself. */
export const proxyService = { namespace, name: 'docker-mirror-proxy', port: 3128 } as const satisfies ServiceRef;

/**
 * KubeVirtCI's providers hard-code docker-mirror-proxy.kubevirt-prow.svc:3128, so that name
 * answers too: a DNS alias of the proxy's Service.
 */
export const kubevirtciAlias = { namespace: prowNamespace, name: 'docker-mirror-proxy', port: proxyService.port } as const satisfies ServiceRef;

/** The CA the proxy signs registry certificates with: certificate public, key a Secret. */
export const ca = {
  configMap: 'mirror-proxy-config',
  certKey: 'ca.crt',
  secret: 'docker-mirror-proxy',
  keyKey: 'ca.key',
} as const;

/** The docker daemon settings jobs load from /etc/default/docker. */
export const daemonConfig = { configMap: 'docker-daemon-mirror-config', key: 'docker' } as const;
export const dockerMirrorProxyPreset = 'preset-docker-mirror-proxy';
const caMountPath = '/etc/docker-mirror-proxy';

/** Reports the CA's expiry; docker-registry-proxy itself serves no metrics. */
const caExporter = { name: 'docker-proxy-ca-exporter', namespace, app: name, configMap: ca.configMap, key: ca.certKey } as const;

/**
 * One dockerd option: a flag, with a value after = or a space. The jobs' shell sources the
 * file these land in, inside double quotes, so a value may hold none of the characters that
 * would end the quotes or expand ($, `, \, ", ', ;, |, &, <, >, spaces beyond the one).
 */
export const dockerOption = z.string().regex(/^--[a-z0-9][a-z0-9-]*(?:[= ][A-Za-z0-9_./:,=@+-]+)?$/, 'must be one dockerd flag such as --mtu=1450, its value made of letters, digits and _ . / : , = @ + -');

const values = z
  .object({
    storage: cacheStorage.default({ type: 'claim', size: '450Gi' }),
    /** Run on the cache node; defaults to yes for local storage, which lives there. */
    onCacheNode: z.boolean().optional(),
    /** Share of the volume kept out of the image cache (see cacheMaxSize). */
    headroomPercent: z.number().int().min(5).max(50).default(10),
    /** Uploads of large layers and slow registries need long timeouts. */
    timeout: z.string().regex(/^\d+s$/, 'must be seconds, such as 1200s').default('1200s'),
    resources: containerResources.default({ requests: { cpu: '300m', memory: '3Gi' }, limits: { memory: '3Gi' } }),
    /** Extra dockerd options for jobs that run docker inside their pod. */
    dockerOptions: z.array(dockerOption).default(['--data-root=/docker-graph', '--mtu=1450', '--ipv6', '--fixed-cidr-v6 2001:db8:1::/64']),
  })
  .strict();

const timeouts = [
  'PROXY_CONNECT_TIMEOUT',
  'PROXY_CONNECT_READ_TIMEOUT',
  'PROXY_CONNECT_CONNECT_TIMEOUT',
  'PROXY_CONNECT_SEND_TIMEOUT',
  'PROXY_READ_TIMEOUT',
  'PROXY_SEND_TIMEOUT',
  'SEND_TIMEOUT',
  'CLIENT_BODY_TIMEOUT',
  'CLIENT_HEADER_TIMEOUT',
];

/** /etc/default/docker for jobs: dockerd pulls through the proxy. */
export function daemonDefaults(options: readonly string[]): string {
  const url = serviceUrl(proxyService);
  return [...options.map((o) => `DOCKER_OPTS="\${DOCKER_OPTS} ${o}"`), `export http_proxy=${url}`, `export https_proxy=${url}`, ''].join('\n');
}

export const app = defineApp({
  name,
  component: 'docker proxy',
  description: 'acts as a cache for container images, reducing the need to access external registries',
  values,
  kindValues: { storage: kindClaim('2Gi'), resources: kindResources() },

  namespaces: () => [namespace, prowNamespace, jobsNamespace],

  render: (scope, { topology, values: v }) => {
    const labels = componentLabels(name, name);
    const volume = cacheVolume(scope, { name: 'docker-proxy-cache', namespace, volume: 'cache', storage: v.storage, labels });
    const cacheNode = v.onCacheNode ?? v.storage.type === 'local';
    deployment(scope, {
      name,
      namespace,
      labels,
      recreate: true,
      annotations: {
        ...policyException('non-root', "docker-registry-proxy's entrypoint writes its nginx config and generates certificates as root"),
        ...policyException('read-only-root', 'the entrypoint writes nginx config and certificates into the image at start'),
        ...policyException('capabilities', "the root entrypoint chowns the cache and nginx drops to its worker user, which takes the runtime's default CHOWN, SETUID and SETGID"),
      },
      pod: {
        ...(cacheNode ? onCacheNode() : {}),
        // Let running pulls finish on a rollout.
        terminationGracePeriodSeconds: 180,
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name,
            image: topology.versions.dockerRegistryProxy,
            env: [
              { name: 'ENABLE_MANIFEST_CACHE', value: 'true' },
              { name: 'ALLOW_PUSH', value: 'true' },
              { name: 'CACHE_MAX_SIZE', value: cacheMaxSize(v.storage.size, v.headroomPercent) },
              ...timeouts.map((t) => ({ name: t, value: v.timeout })),
            ],
            ports: [{ name: 'proxy', containerPort: proxyService.port }],
            // Its director layer answers a plain GET / with 200 (nginx.conf at the pinned tag).
            readinessProbe: { httpGet: { port: 'proxy', path: '/' }, periodSeconds: 10 },
            livenessProbe: { tcpSocket: { port: 'proxy' }, initialDelaySeconds: 30, periodSeconds: 30, failureThreshold: 4 },
            // No CPU limit: production's proxy was throttled under load by one.
            resources: v.resources,
            securityContext: { allowPrivilegeEscalation: false },
            volumeMounts: [
              { name: 'cache', mountPath: cacheDir },
              { name: 'ca-cert', mountPath: `/ca/${ca.certKey}`, subPath: ca.certKey, readOnly: true },
              { name: 'ca-key', mountPath: `/ca/${ca.keyKey}`, subPath: ca.keyKey, readOnly: true },
            ],
          },
        ],
        volumes: [volume, { name: 'ca-cert', configMap: { name: ca.configMap } }, { name: 'ca-key', secret: { secretName: ca.secret, defaultMode: 0o400 } }],
      },
    });
    service(scope, { name: proxyService.name, namespace, labels, selector: labels, ports: [{ name: 'proxy', port: proxyService.port, targetPort: 'proxy' }] });
    emitModel(
      scope,
      new Service({
        metadata: { name: kubevirtciAlias.name, namespace: kubevirtciAlias.namespace, labels },
        spec: { type: 'ExternalName', externalName: `${serviceHost(proxyService)}.cluster.local`, ports: [{ name: 'proxy', port: kubevirtciAlias.port }] },
      }),
    );
    certificateExporter(scope, topology.versions, caExporter);
    emitModel(
      scope,
      new ConfigMap({
        metadata: { name: daemonConfig.configMap, namespace: jobsNamespace, labels },
        data: { [daemonConfig.key]: daemonDefaults(v.dockerOptions) },
      }),
    );
  },

  provided: () => [
    { kind: 'Secret', namespace, name: ca.secret, keys: [ca.keyKey], description: "the docker proxy's CA private key" },
    { kind: 'ConfigMap', namespace, name: ca.configMap, keys: [ca.certKey], description: "the docker proxy's CA certificate, which it serves its registry certificates under" },
    { kind: 'ConfigMap', namespace: jobsNamespace, name: ca.configMap, keys: [ca.certKey], description: "the docker proxy's CA certificate, for jobs to trust" },
  ],

  metrics: () => [certificateExporterMetrics(caExporter, "the expiry of the docker proxy's CA certificate")],

  jobPresets: () => [
    {
      label: dockerMirrorProxyPreset,
      description: "pulls images through the cluster's docker proxy, trusting its CA",
      env: [{ name: 'CA_CERT_FILE', value: `${caMountPath}/${ca.certKey}` }],
      volumes: [
        { name: 'docker-mirror-proxy-ca', configMap: { name: ca.configMap } },
        { name: 'docker-daemon-config', configMap: { name: daemonConfig.configMap } },
      ],
      volumeMounts: [
        { name: 'docker-mirror-proxy-ca', mountPath: caMountPath, readOnly: true },
        { name: 'docker-daemon-config', mountPath: '/etc/default', readOnly: true },
      ],
      services: [proxyService, kubevirtciAlias],
    },
  ],

  flows: () => [{ kind: 'images', label: 'pulls and caches test images', direction: 'out', peer: { external: 'quay' } }],
});
