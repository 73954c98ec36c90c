import { componentLabels, containerResources, emitModel, securePodSpec } from '@kubevirt-ci/kube';
import { defineApp, jobsNamespace, kubevirtciPreset, prowBuildCluster, valuesOn, type Cluster, type JobPreset, type ProvidedObject } from '@kubevirt-ci/topology';
import { CronJob } from 'kubernetes-models/batch/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { LimitRange, Secret, ServiceAccount } from 'kubernetes-models/v1';
import { z } from 'zod';
import { cleanupScript } from './cleanup.ts';

export { cleanupScript } from './cleanup.ts';

const name = 'build-cluster';

/** The identity Prow's kubeconfig uses on this cluster: admin of the jobs namespace, nothing more. */
export const prowIdentity = {
  serviceAccount: 'prow-control-plane',
  /** A long-lived token Kubernetes fills in; bootstrap reads it to build Prow's kubeconfig. */
  tokenSecret: 'prow-control-plane-token',
  clusterRole: 'admin',
} as const;

/**
 * Secrets Prow's pod utilities read in the jobs namespace of every build cluster: the GCS
 * credentials initupload and sidecar upload job logs with. Prow's services use the same name
 * in kubevirt-prow.
 */
export const jobSecrets = {
  gcsCredentials: { name: 'gcs-credentials', key: 'service-account.json' },
} as const;

const kubevirtciMountRoot = '/etc/kubevirtci';

const values = z
  .object({
    cleanup: z
      .object({
        /** When the cleanup of stuck pods runs (cron syntax, UTC). */
        schedule: z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a five-field cron schedule').default('17 * * * *'),
        /** A pod that has been Terminating this long is force-deleted. */
        stuckForMinutes: z.number().int().min(10).default(360),
        resources: containerResources.default({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '100m', memory: '128Mi' } }),
      })
      .strict()
      .prefault({}),
    /** What a test container that requests nothing is given (the jobs namespace's LimitRange). */
    jobDefaults: containerResources.shape.requests.default({ cpu: '100m', memory: '1Gi' }),
  })
  .strict();

export const app = defineApp({
  name,
  component: 'Prow build cluster',
  description: "the namespace Prow's test pods run in, the identity Prow reaches it with, and the cleanup of pods stuck Terminating",
  values,
  provides: [prowBuildCluster],

  namespaces: () => [jobsNamespace],

  render: (scope, { topology, values: v }) => {
    // A test container that asks for nothing gets production's defaults
    // (project-infra github/ci/prow-deploy/kustom/base/manifests/local/memory-job-defaults.yaml),
    // so the scheduler counts it instead of packing it onto a full node.
    emitModel(scope, new LimitRange({ metadata: { name: 'mem-limit-range', namespace: jobsNamespace, labels: componentLabels(name, 'job-defaults') }, spec: { limits: [{ type: 'Container', defaultRequest: { ...v.jobDefaults } }] } }));
    const labels = componentLabels(name, 'prow-control-plane');
    emitModel(scope, new ServiceAccount({ metadata: { name: prowIdentity.serviceAccount, namespace: jobsNamespace, labels } }));
    emitModel(
      scope,
      new Secret({
        metadata: { name: prowIdentity.tokenSecret, namespace: jobsNamespace, labels, annotations: { 'kubernetes.io/service-account.name': prowIdentity.serviceAccount } },
        type: 'kubernetes.io/service-account-token',
      }),
    );
    emitModel(
      scope,
      new RoleBinding({
        metadata: { name: `${prowIdentity.serviceAccount}-${prowIdentity.clusterRole}`, namespace: jobsNamespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: prowIdentity.clusterRole },
        subjects: [{ kind: 'ServiceAccount', name: prowIdentity.serviceAccount, namespace: jobsNamespace }],
      }),
    );

    const cleanup = 'terminating-pod-cleanup';
    const cleanupLabels = componentLabels(name, cleanup);
    emitModel(scope, new ServiceAccount({ metadata: { name: cleanup, namespace: jobsNamespace, labels: cleanupLabels } }));
    emitModel(
      scope,
      new Role({
        metadata: { name: cleanup, namespace: jobsNamespace, labels: cleanupLabels },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete'] }],
      }),
    );
    emitModel(
      scope,
      new RoleBinding({
        metadata: { name: cleanup, namespace: jobsNamespace, labels: cleanupLabels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: cleanup },
        subjects: [{ kind: 'ServiceAccount', name: cleanup, namespace: jobsNamespace }],
      }),
    );
    emitModel(
      scope,
      new CronJob({
        metadata: { name: cleanup, namespace: jobsNamespace, labels: cleanupLabels },
        spec: {
          schedule: v.cleanup.schedule,
          timeZone: 'Etc/UTC',
          concurrencyPolicy: 'Forbid',
          // A run missed by more than this waits for the next hour's.
          startingDeadlineSeconds: 600,
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels: cleanupLabels },
            spec: {
              activeDeadlineSeconds: 600,
              backoffLimit: 1,
              template: {
                metadata: { labels: cleanupLabels },
                spec: securePodSpec({
                  serviceAccountName: cleanup,
                  restartPolicy: 'Never',
                  containers: [
                    {
                      name: 'cleanup',
                      image: topology.versions.kubevirtciBootstrap,
                      command: ['/bin/sh', '-c', cleanupScript(jobsNamespace, v.cleanup.stuckForMinutes)],
                      // kubectl keeps its discovery cache under $HOME.
                      env: [{ name: 'HOME', value: '/tmp' }],
                      resources: v.cleanup.resources,
                      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                    },
                  ],
                  volumes: [{ name: 'tmp', emptyDir: {} }],
                }),
              },
            },
          },
        },
      }),
    );
  },

  provided: ({ topology }) => [
    { kind: 'Secret', namespace: jobsNamespace, name: jobSecrets.gcsCredentials.name, keys: [jobSecrets.gcsCredentials.key], description: "the GCS service account Prow's pod utilities upload job logs and artifacts with" },
    ...Object.values(topology.kubevirtci).map(
      (c): ProvidedObject => ({ kind: 'Secret', namespace: jobsNamespace, name: c.kubeconfigSecret.name, keys: [c.kubeconfigSecret.key], description: `the kubeconfig of the ${c.title}, for the jobs that test on it` }),
    ),
  ],

  jobPresets: ({ topology }) =>
    Object.entries(topology.kubevirtci).map(([key, c]): JobPreset => {
      const dir = `${kubevirtciMountRoot}/${key}`;
      return {
        label: kubevirtciPreset(key),
        description: `runs the job's KubeVirtCI cluster on the ${c.title} (one job at a time)`,
        env: [
          { name: 'KUBEVIRT_PROVIDER', value: 'external' },
          { name: 'KUBECONFIG', value: `${dir}/${c.kubeconfigSecret.key}` },
        ],
        volumes: [{ name: `kubevirtci-${key}-kubeconfig`, secret: { secretName: c.kubeconfigSecret.name, defaultMode: 0o400 } }],
        volumeMounts: [{ name: `kubevirtci-${key}-kubeconfig`, mountPath: dir, readOnly: true }],
        services: [],
      };
    }),
});

/**
 * How long a pod may be Terminating on a cluster before this app's cleanup force-deletes it;
 * where the app is not enabled, its default (nothing cleans up there, and an alert at that
 * age still tells a stuck pod from a slow one).
 */
export function stuckPodMinutes(cluster: Pick<Cluster, 'apps'>): number {
  return (valuesOn(cluster, app) ?? values.parse({})).cleanup.stuckForMinutes;
}
