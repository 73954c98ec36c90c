import type { PluginsConfig, ProwConfig, SlackReporterConfig } from './types.ts';

/**
 * How KubeVirt's Prow merges, reports and labels: the project's own choices, as production
 * configures them. Everything about where things run comes from the topology instead.
 */

const blockingLabels = ['do-not-merge', 'do-not-merge/hold', 'do-not-merge/invalid-owners-file', 'do-not-merge/work-in-progress', 'needs-rebase', 'dco-signoff: no'];

export const tide: Omit<ProwConfig['tide'], 'pr_status_base_urls'> = {
  sync_period: '2m',
  merge_method: {
    'kubevirt/kubevirt': 'merge',
    'kubevirt/containerized-data-importer': 'squash',
    'kubevirt/project-infra': 'squash',
    'kubevirt/kubevirtci': 'squash',
    'kubevirt/community': 'squash',
    'kubevirt/user-guide': 'squash',
  },
  queries: [
    {
      repos: ['kubevirt/project-infra', 'kubevirt/kubevirtci', 'kubevirt/community', 'kubevirt/user-guide'],
      labels: ['lgtm', 'approved'],
      missingLabels: blockingLabels,
    },
    {
      repos: ['kubevirt/kubevirt', 'kubevirt/containerized-data-importer'],
      labels: ['lgtm', 'approved'],
      missingLabels: [...blockingLabels, 'do-not-merge/release-note-label-needed', 'do-not-merge/invalid-commit-message'],
    },
  ],
};

const reportTemplate = 'Job {{.Spec.Job}} of type {{.Spec.Type}} ended with state {{.Status.State}}. <{{.Status.URL}}|View logs>';

export const slackReporters: Record<string, SlackReporterConfig> = {
  '*': { job_types_to_report: ['postsubmit', 'periodic'], job_states_to_report: ['failure', 'error'], channel: 'kubevirt-ci-monitoring', report_template: reportTemplate },
};

/** GitHub team prow-job-taskforce may rerun any job from deck. */
export const rerunAuth: ProwConfig['deck']['rerun_auth_configs'] = { '*': { github_team_ids: [3701123] } };

export const lenses: ProwConfig['deck']['spyglass']['lenses'] = [
  { lens: { name: 'metadata' }, required_files: ['^(?:started|finished)\\.json$'], optional_files: ['^(?:podinfo|prowjob)\\.json$'] },
  { lens: { name: 'buildlog' }, required_files: ['^build-log\\.txt$'] },
  { lens: { name: 'junit' }, required_files: ['^artifacts/junit.*\\.xml$'] },
  { lens: { name: 'coverage' }, required_files: ['^artifacts/filtered\\.cov$'], optional_files: ['^artifacts/filtered\\.html$'] },
  { lens: { name: 'podinfo' }, required_files: ['^podinfo\\.json$'] },
];

/** The in-tree plugins hook runs for the org. */
export const orgPlugins: PluginsConfig['plugins'] = {
  kubevirt: { plugins: ['approve', 'assign', 'blunderbuss', 'cat', 'dog', 'help', 'hold', 'label', 'lgtm', 'lifecycle', 'size', 'trigger', 'verify-owners', 'wip'] },
};

