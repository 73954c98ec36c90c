import { jobsNamespace, kubevirtciPluginImage, prowImage } from '@kubevirt-ci/topology';
import type { Component } from '../component.ts';
import { configFlags, githubFlags, githubUserFlags, hmacFlag, kubeconfigFlag, labelConfig, pluginsFlag, prowSecrets, serviceUrl, services } from '../shared.ts';
import type { ComponentContext } from './context.ts';
import { metricsPort, mounts } from './mounts.ts';
import { prowjobs } from './rbac.ts';

const { hmac, github, botUser, plugins, tmp } = mounts;

/**
 * Repositories outside the org that KubeVirt's Prow serves, as production does
 * (plugins.yaml's external_plugins at project-infra 2c863fd10): needs-rebase and cherrypicker
 * run on them too.
 */
const hostedRepos = ['k8snetworkplumbingwg/ovs-cni', 'k8snetworkplumbingwg/kubemacpool', 'nmstate/kubernetes-nmstate'];
const metrics = metricsPort;

/**
 * The external plugins hook forwards events to (registered in plugins.yaml's external_plugins).
 * KubeVirt's rehearse and release-blocker define no --plugin-config at the pinned
 * kubevirtciPlugins commit (external-plugins/rehearse/plugin/main.go and
 * external-plugins/release-blocker/main.go of kubevirt/project-infra ca75c4e register their
 * own flags and prow's GitHubOptions only); Go's flag package would exit 2 on it.
 */
export function pluginComponents(x: ComponentContext): Component[] {
  return [
    {
      name: 'rehearse',
      resources: { cpu: '100m', memory: '1Gi' },
      // Rehearsal runs changed jobs from project-infra's pull requests.
      plugin: { events: ['issue_comment', 'pull_request'], where: [`${x.org}/project-infra`] },
      image: kubevirtciPluginImage('rehearse', x.versions),
      args: [
        '--dry-run=false',
        ...githubFlags(x.githubApi),
        hmacFlag,
        '--cache-dir=/var/run/cache',
        `--jobs-config-base=${x.rehearse.jobsConfigBase}`,
        `--prow-config-path=${x.rehearse.prowConfigPath}`,
        `--jobs-namespace=${jobsNamespace}`,
        '--always-run=false',
      ],
      github: true,
      mounts: [hmac, github, { emptyDir: 'cache', mountPath: '/var/run/cache' }, tmp],
      ports: [{ name: 'http', containerPort: services.rehearse.port, service: services.rehearse.port }],
      probes: { kind: 'tcp', port: 'http', why: 'it serves only its events endpoint at the pinned commit (external-plugins/rehearse/plugin/main.go)' },
      // The inventory's shape: a ClusterRole, here bound only in the jobs namespace.
      clusterRole: [prowjobs('create')],
      terminationGracePeriodSeconds: 180,
    },
    {
      name: 'release-blocker',
      resources: { cpu: '50m', memory: '128Mi' },
      plugin: { events: ['issue_comment', 'pull_request'] },
      image: kubevirtciPluginImage('release-blocker', x.versions),
      args: ['--dry-run=false', ...githubFlags(x.githubApi), hmacFlag],
      github: true,
      mounts: [hmac, github, tmp],
      ports: [{ name: 'http', containerPort: 8888, service: services['release-blocker'].port }],
      probes: { kind: 'tcp', port: 'http', why: 'it serves only the webhook ("/") and POST /help at the pinned commit (external-plugins/release-blocker/main.go)' },
      terminationGracePeriodSeconds: 180,
    },
    {
      name: 'cherrypicker',
      resources: { cpu: '100m', memory: '512Mi' },
      plugin: { events: ['issue_comment', 'pull_request'], where: [x.org, ...hostedRepos] },
      image: prowImage('cherrypicker', x.versions),
      // As the bot user, not the App: it forks each repository it cherry-picks into, and
      // under the App its bot user is the App's slug (pkg/github/client.go getUserData at
      // c47e31ece), which has no account to fork to. Production does the same.
      args: ['--dry-run=false', ...githubUserFlags(x.githubApi), hmacFlag, '--log-level=info'],
      // It clones into /tmp.
      mounts: [hmac, botUser, tmp],
      ports: [{ name: 'http', containerPort: 8888, service: services.cherrypicker.port }],
      probes: { kind: 'prow-health' },
      terminationGracePeriodSeconds: 180,
    },
    {
      name: 'needs-rebase',
      resources: { cpu: '50m', memory: '256Mi' },
      plugin: { events: ['issue_comment', 'pull_request'], where: [x.org, ...hostedRepos] },
      image: prowImage('needs-rebase', x.versions),
      args: ['--dry-run=false', ...githubFlags(x.githubApi), hmacFlag, pluginsFlag, `--update-period=${x.needsRebasePeriod}`],
      github: true,
      mounts: [hmac, github, plugins, tmp],
      ports: [{ name: 'http', containerPort: 8888, service: services['needs-rebase'].port }],
      probes: { kind: 'prow-health' },
      terminationGracePeriodSeconds: 180,
    },
  ];
}

/** gcsweb, ghproxy, the ProwJob metrics exporter and the push gateway. */
export function serviceComponents(x: ComponentContext): Component[] {
  return [
    {
      name: 'gcsweb',
      resources: { cpu: '100m', memory: '128Mi' },
      image: x.versions.gcsweb,
      replicas: 2,
      args: [`-b=${x.bucket}`, '-upgrade-proxied-http-to-https', '-p=8080'],
      mounts: [],
      ports: [{ name: 'http', containerPort: 8080, service: x.exposedPorts.gcsweb }],
      probes: { kind: 'serving', port: 'http', path: '/healthz' },
    },
    {
      name: 'ghproxy',
      resources: { cpu: '200m', memory: '512Mi' },
      image: prowImage('ghproxy', x.versions),
      // One pod owns the ReadWriteOnce cache.
      recreate: true,
      args: [
        '--cache-dir=/cache',
        `--cache-sizeGB=${x.ghproxy.cacheSizeGB}`,
        // Its default, stated so the topology's GitHub is the one place it is named (cmd/ghproxy/ghproxy.go).
        `--upstream=${x.githubApi}`,
        `--push-gateway=${serviceUrl('pushgateway').replace(/^http:\/\//, '')}`,
        '--serve-metrics=true',
      ],
      mounts: [{ claim: x.ghproxy.claim, volume: 'cache', mountPath: '/cache' }, tmp],
      ports: [{ name: 'http', containerPort: 8888, service: services.ghproxy.port }, metrics],
      probes: { kind: 'prow-health' },
    },
    {
      name: 'prow-exporter',
      resources: { cpu: '50m', memory: '256Mi' },
      image: prowImage('exporter', x.versions),
      recreate: true,
      args: [...configFlags, kubeconfigFlag],
      mounts: [mounts.config, mounts.jobs, mounts.kubeconfig, tmp],
      ports: [metrics],
      probes: { kind: 'prow-health' },
      rbac: { [jobsNamespace]: [prowjobs('get', 'list', 'watch')] },
    },
    {
      name: 'pushgateway',
      resources: { cpu: '50m', memory: '128Mi' },
      image: x.versions.pushgateway,
      args: [],
      mounts: [],
      ports: [{ name: 'http', containerPort: 9091, service: services.pushgateway.port }],
      probes: { kind: 'http', port: 'http', liveness: '/-/healthy', readiness: '/-/ready' },
    },
  ];
}

/**
 * Prow's batch components: label-sync (for the org, and label-sync-nmstate for nmstate's
 * repository) makes every repository's labels match labels.yaml, daily; branchprotector makes GitHub's branch protection match config.yaml's
 * branch-protection and the required presubmits of the job config, hourly. It defines
 * --confirm, the config flags and GitHub's at the pin (cmd/branchprotector/protect.go).
 */
export function batchComponents(x: ComponentContext): Component[] {
  return [
    // One run per GitHub App installation, as production has them
    // (kustom/base/manifests/local/label-sync-{kubevirt,nmstate}.yaml at project-infra 2c863fd10):
    // the org, and nmstate's one repository.
    ...[
      { name: 'label-sync', scope: `--orgs=${x.org}` },
      { name: 'label-sync-nmstate', scope: '--only=nmstate/kubernetes-nmstate' },
    ].map(
      ({ name, scope }): Component => ({
        name,
        image: x.versions.labelSync,
        resources: { cpu: '100m', memory: '256Mi' },
        args: [`--config=${labelConfig.mountPath}/${labelConfig.key}`, '--confirm=true', scope, ...githubFlags(x.githubApi)],
        github: true,
        mounts: [{ configMap: labelConfig }, { secret: prowSecrets.githubToken }],
        ports: [],
        probes: { kind: 'none', why: 'a batch job; it exits when done' },
        schedule: { cron: x.labelSyncSchedule, startingDeadlineSeconds: 3600, backoffLimit: 2 },
      }),
    ),
    {
      name: 'branchprotector',
      image: prowImage('branchprotector', x.versions),
      resources: { cpu: '100m', memory: '256Mi' },
      args: [...configFlags, '--confirm', ...githubFlags(x.githubApi)],
      github: true,
      mounts: [mounts.config, mounts.jobs, github],
      ports: [],
      probes: { kind: 'none', why: 'a batch job; it exits when done' },
      // An hour between runs: a run that misses its slot by more waits for the next.
      schedule: { cron: x.branchProtectorSchedule, startingDeadlineSeconds: 3000, backoffLimit: 2 },
    },
  ];
}
