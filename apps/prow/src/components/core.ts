import { jobsNamespace, prowImage } from '@kubevirt-ci/topology';
import type { Component } from '../component.ts';
import {
  configFlags,
  gcsFlag,
  githubFlags,
  hmacFlag,
  kubeconfigFlag,
  pluginsFlag,
  prowSecrets,
  secretPath,
  serviceUrl,
  services,
  slackFlag,
} from '../shared.ts';
import type { ComponentContext } from './context.ts';
import { metricsPort, mounts } from './mounts.ts';
import { core, leaderElection, prowjobs } from './rbac.ts';

const { config, jobs, plugins, github, kubeconfig, gcs, hmac, slack, tmp } = mounts;
const metrics = metricsPort;

/**
 * crier, horologium, sinker and tide serve no health endpoint at the pinned Prow: their
 * cmd/<name>/main.go never calls pjutil.NewHealthOnPort, so nothing listens on 8081. What
 * answers is pkg/metrics' ExposeMetrics, /metrics on --metrics-port (9090), served because
 * the config's push_gateway sets serve_metrics.
 */
const metricsProbes = { kind: 'serving', port: metrics.name, path: '/metrics' } as const;

/**
 * Prow's main services. ProwJobs live in the jobs namespace (the config's prowjob_namespace),
 * so that is where their ProwJob rights, pod rights and leader locks are granted; the
 * inventory's verbs, nothing more. Prow reaches the pods of other build clusters through its
 * kubeconfig, as each cluster's prow-control-plane ServiceAccount.
 */
export function coreComponents(x: ComponentContext): Component[] {
  return [
    {
      name: 'crier',
      resources: { cpu: '100m', memory: '512Mi' },
      image: prowImage('crier', x.versions),
      args: [
        ...configFlags,
        ...githubFlags(x.githubApi),
        kubeconfigFlag,
        gcsFlag,
        slackFlag,
        '--blob-storage-workers=10',
        '--kubernetes-blob-storage-workers=10',
        '--github-workers=10',
        '--slack-workers=10',
      ],
      github: true,
      mounts: [config, jobs, github, gcs, kubeconfig, slack, tmp],
      ports: [metrics],
      probes: metricsProbes,
      rbac: { [jobsNamespace]: [prowjobs('get', 'watch', 'list', 'patch'), core(['pods', 'events'], 'get', 'list'), core(['pods'], 'patch')] },
      terminationGracePeriodSeconds: 30,
    },
    {
      name: 'deck',
      resources: { cpu: '1', memory: '2Gi' },
      image: prowImage('deck', x.versions),
      replicas: 3,
      args: [
        ...configFlags,
        pluginsFlag,
        ...githubFlags(x.githubApi),
        `--github-graphql-endpoint=${serviceUrl('ghproxy', '/graphql')}`,
        kubeconfigFlag,
        gcsFlag,
        `--tide-url=${serviceUrl('tide', '/')}`,
        `--hook-url=${serviceUrl('hook', '/plugin-help')}`,
        '--spyglass=true',
        '--rerun-creates-job=true',
        '--oauth-url=/github-login',
        `--github-oauth-config-file=${secretPath(prowSecrets.oauth, 'secret')}`,
        `--cookie-secret=${secretPath(prowSecrets.cookie, 'secret')}`,
      ],
      github: true,
      mounts: [config, plugins, jobs, github, gcs, kubeconfig, { secret: prowSecrets.oauth }, { secret: prowSecrets.cookie }, tmp],
      ports: [{ name: 'http', containerPort: 8080, service: x.exposedPorts.deck }],
      probes: { kind: 'prow-health' },
      rbac: { [jobsNamespace]: [prowjobs('get', 'list', 'watch', 'create', 'patch'), core(['pods/log'], 'get')] },
      terminationGracePeriodSeconds: 30,
    },
    {
      name: 'hook',
      resources: { cpu: '200m', memory: '512Mi' },
      image: prowImage('hook', x.versions),
      replicas: 4,
      args: ['--dry-run=false', ...configFlags, pluginsFlag, ...githubFlags(x.githubApi), kubeconfigFlag, hmacFlag, slackFlag],
      github: true,
      mounts: [config, plugins, jobs, hmac, github, kubeconfig, slack, tmp],
      ports: [{ name: 'http', containerPort: 8888, service: services.hook.port }],
      probes: { kind: 'prow-health' },
      // No ConfigMap rights: Argo CD is the one writer of Prow's ConfigMaps, so the
      // config_updater plugin they are for is not enabled.
      rbac: { [jobsNamespace]: [prowjobs('create', 'get', 'list', 'update')] },
      // Let webhook deliveries in flight finish.
      terminationGracePeriodSeconds: 180,
    },
    {
      name: 'horologium',
      resources: { cpu: '50m', memory: '128Mi' },
      image: prowImage('horologium', x.versions),
      // Two would trigger every periodic twice.
      recreate: true,
      args: ['--dry-run=false', ...configFlags],
      mounts: [config, jobs, tmp],
      ports: [metrics],
      probes: metricsProbes,
      rbac: { [jobsNamespace]: [prowjobs('create', 'list', 'watch')] },
    },
    {
      name: 'prow-controller-manager',
      resources: { cpu: '1', memory: '1Gi' },
      image: prowImage('prow-controller-manager', x.versions),
      recreate: true,
      args: ['--dry-run=false', ...configFlags, ...githubFlags(x.githubApi), kubeconfigFlag, '--enable-controller=plank'],
      github: true,
      mounts: [config, jobs, github, kubeconfig, tmp],
      ports: [metrics],
      probes: { kind: 'prow-health' },
      rbac: {
        [jobsNamespace]: [
          prowjobs('get', 'list', 'watch', 'update', 'patch'),
          core(['pods'], 'create', 'delete', 'get', 'list', 'patch', 'watch'),
          ...leaderElection('prow-controller-manager-leader-lock'),
        ],
      },
    },
    {
      name: 'sinker',
      resources: { cpu: '1', memory: '1Gi' },
      image: prowImage('sinker', x.versions),
      recreate: true,
      args: ['--dry-run=false', ...configFlags, kubeconfigFlag],
      mounts: [config, jobs, kubeconfig, tmp],
      ports: [metrics],
      probes: metricsProbes,
      rbac: {
        [jobsNamespace]: [prowjobs('delete', 'list', 'watch', 'get'), core(['pods'], 'delete', 'list', 'watch', 'get', 'patch'), ...leaderElection('prow-sinker-leaderlock')],
      },
    },
    {
      name: 'tide',
      resources: { cpu: '200m', memory: '1Gi' },
      image: prowImage('tide', x.versions),
      // Two would merge the same pool twice.
      recreate: true,
      args: [
        '--dry-run=false',
        ...configFlags,
        ...githubFlags(x.githubApi),
        `--github-graphql-endpoint=${serviceUrl('ghproxy', '/graphql')}`,
        gcsFlag,
        `--status-path=gs://${x.bucket}/tide-status`,
        `--history-uri=gs://${x.bucket}/tide-history.json`,
      ],
      github: true,
      mounts: [config, jobs, github, gcs, tmp],
      ports: [{ name: 'http', containerPort: 8888, service: services.tide.port }, metrics],
      probes: metricsProbes,
      rbac: { [jobsNamespace]: [prowjobs('create', 'list', 'get', 'watch')] },
    },
    {
      name: 'statusreconciler',
      resources: { cpu: '50m', memory: '256Mi' },
      image: prowImage('status-reconciler', x.versions),
      args: ['--dry-run=false', '--continue-on-error=true', ...configFlags, pluginsFlag, ...githubFlags(x.githubApi), gcsFlag, `--status-path=gs://${x.bucket}/status-reconciler-status`],
      github: true,
      mounts: [config, plugins, jobs, github, gcs, tmp],
      ports: [],
      probes: {
        kind: 'none',
        why: 'status-reconciler serves nothing over HTTP at the pinned Prow: cmd/status-reconciler/main.go starts no health, metrics or other server, so there is no endpoint to probe',
      },
      rbac: { [jobsNamespace]: [prowjobs('create')] },
      terminationGracePeriodSeconds: 180,
    },
  ];
}
