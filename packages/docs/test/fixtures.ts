import { app as certManager } from '@kubevirt-ci/app-cert-manager';
import { emitModel } from '@kubevirt-ci/kube';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import { render } from '@kubevirt-ci/synth';
import { clusterSpec } from '@kubevirt-ci/synth/testing';
import { defineApp, defineRole, defineTopology, enable } from '@kubevirt-ci/topology';
import { z } from 'zod';

/** What synth's policy asks of every container, so the fixture's workloads render. */
const kept = {
  resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '32Mi' } },
  readinessProbe: { httpGet: { port: 8080, path: '/ready' } },
  livenessProbe: { tcpSocket: { port: 8080 } },
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
};

/** A web app with an image, a claim, a state set with templates, a host path and Secrets it reads. */
export const web = defineApp({
  name: 'web',
  component: 'deck',
  description: 'shows jobs',
  values: z.object({}),
  namespaces: () => ['kubevirt-prow'],
  provided: () => [{ kind: 'Secret', namespace: 'kubevirt-prow', name: 'hmac-token', keys: ['hmac'], description: 'GitHub webhook HMAC secret' }],
  flows: ({ topology }) => [
    { kind: 'webhooks', label: 'webhooks', direction: 'in', peer: { external: 'github' } },
    ...topology.clusters.filter((c) => !c.hub).map((c) => ({ kind: 'metrics' as const, label: 'metrics', direction: 'in' as const, peer: { cluster: c.name, component: 'Prometheus' } })),
    { kind: 'storage', label: 'job results', direction: 'out', peer: { bucket: 'build-results' } },
  ],
  render: (scope) => {
    const ns = 'kubevirt-prow';
    emitModel(scope, new Deployment({
      metadata: { name: 'deck', namespace: ns, annotations: { 'policy.ci.kubevirt.io/host-path': 'the fixture shows a host path in the docs' } },
      spec: {
        selector: { matchLabels: { app: 'deck' } },
        template: {
          metadata: { labels: { app: 'deck' } },
          spec: {
            automountServiceAccountToken: false,
            containers: [
              {
                name: 'deck',
                image: 'us-docker.pkg.dev/k8s-infra-prow/images/deck:v20261101-abc',
                ...kept,
                env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'github-token', key: 'cert' } } }],
              },
            ],
            volumes: [
              { name: 'tls', secret: { secretName: 'deck-tls' } },
              { name: 'cache', persistentVolumeClaim: { claimName: 'deck-cache' } },
              { name: 'docker', hostPath: { path: '/var/lib/docker' } },
            ],
          },
        },
      },
    }));
    emitModel(scope, new PersistentVolumeClaim({
      metadata: { name: 'deck-cache', namespace: ns },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '30Gi' } } },
    }));
    emitModel(scope, new StatefulSet({
      metadata: { name: 'search', namespace: ns },
      spec: {
        replicas: 2,
        serviceName: 'search',
        selector: { matchLabels: { app: 'search' } },
        template: {
          metadata: { labels: { app: 'search' } },
          spec: {
            automountServiceAccountToken: false,
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'search' } } }],
            containers: [{ name: 'search', image: 'quay.io/kubevirtci/ci-search@sha256:0123', ...kept }],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '50Gi' } } } }],
      },
    }));
    emitModel(scope, new PodDisruptionBudget({ metadata: { name: 'search', namespace: ns }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'search' } } } }));
  },
});

/** Stands in for the monitoring app: a component named Prometheus and nothing rendered. */
export const prometheus = defineApp({ name: 'prometheus', component: 'Prometheus', description: 'collects metrics', values: z.object({}) });

export function renderFixture(workloads = ['prow-workloads']) {
  const hub = defineRole({
    role: 'control-plane',
    description: 'The hub.',
    hub: true,
    apps: [enable(certManager), enable(web)],
    clusters: [
      clusterSpec('ibm-prow-jobs', {
        description: 'Runs Prow.',
        uses: { services: ['github', 'quay'], buckets: ['build-results', 'thanos-blocks'] },
        connectedClusters: workloads.map((cluster) => ({ cluster, why: 'schedules jobs on it' })),
        exposes: ['deck'],
        ingressClassName: 'nginx',
      }),
    ],
  });
  const spokes = defineRole({
    role: 'workloads',
    description: 'Runs e2e jobs.',
    hub: false,
    apps: [enable(prometheus)],
    clusters: workloads.map((name) => clusterSpec(name, { uses: { services: ['quay'], buckets: ['build-artifacts'] } })),
  });
  return render(defineTopology({ apps: [certManager, web, prometheus], roles: [hub, spokes] }));
}
