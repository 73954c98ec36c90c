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

/**
 * The in-tree plugins hook runs, for the org and for single repositories. dco and
 * invalidcommitmsg run org-wide and release-note where tide waits for a release note, as in
 * production: each sets a label tide's queries require absent. override, skip and pony are
 * production's org plugins too, owners-label production's on kubevirt/kubevirt.
 */
export const orgPlugins: PluginsConfig['plugins'] = {
  kubevirt: { plugins: ['approve', 'assign', 'blunderbuss', 'cat', 'dco', 'dog', 'help', 'hold', 'invalidcommitmsg', 'label', 'lgtm', 'lifecycle', 'override', 'pony', 'size', 'skip', 'trigger', 'verify-owners', 'wip'] },
  'kubevirt/kubevirt': { plugins: ['owners-label', 'release-note'] },
  'kubevirt/containerized-data-importer': { plugins: ['release-note'] },
};

/**
 * The plugin that puts each blocking label on a pull request, by the names in Prow's source at
 * versions.prow.commit (pkg/labels/labels.go; dcoNoLabel in pkg/plugins/dco/dco.go,
 * invalidCommitMsgLabel in pkg/plugins/invalidcommitmsg/invalidcommitmsg.go; needs-rebase is
 * the external plugin of that name). A tide query that waits for such a label to be absent
 * merges everything when its plugin does not run there.
 */
export const labelSetBy: Readonly<Record<string, string>> = {
  'dco-signoff: no': 'dco',
  'do-not-merge/release-note-label-needed': 'release-note',
  'do-not-merge/invalid-commit-message': 'invalidcommitmsg',
  'do-not-merge/hold': 'hold',
  'do-not-merge/work-in-progress': 'wip',
  'do-not-merge/invalid-owners-file': 'verify-owners',
  'needs-rebase': 'needs-rebase',
};

