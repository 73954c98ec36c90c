import type { Label, PluginsConfig, ProwConfig, SlackReporterConfig } from './types.ts';

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

const label = (name: string, color: string, description: string, target: Label['target'], addedBy: string): Label => ({ name, color, description, target, addedBy });

/** The labels label-sync keeps on every repository of the org. */
export const labels: Label[] = [
  label('lgtm', '15dd18', 'A reviewer found the change good to merge.', 'prs', 'reviewers and org members'),
  label('approved', '0ffa16', 'Every OWNERS file the change touches has an approver who agreed.', 'prs', 'approvers'),
  label('do-not-merge', 'e11d21', 'Tide leaves this pull request alone.', 'prs', 'anyone'),
  label('do-not-merge/hold', 'e11d21', 'Somebody said /hold; /hold cancel lifts it.', 'prs', 'anyone'),
  label('do-not-merge/work-in-progress', 'e11d21', 'The title or draft state says the change is not finished.', 'prs', 'prow'),
  label('do-not-merge/invalid-owners-file', 'e11d21', 'The change breaks an OWNERS file.', 'prs', 'prow'),
  label('needs-rebase', 'e11d21', 'The change conflicts with its base branch.', 'prs', 'prow'),
  label('kind/bug', 'e11d21', 'Something is broken.', 'both', 'anyone'),
  label('kind/enhancement', 'c7def8', 'Something could be better.', 'both', 'anyone'),
  label('lifecycle/stale', '795548', 'Nothing happened here for a long time.', 'both', 'anyone or prow'),
  label('lifecycle/rotten', '080808', 'Stale for long enough to be closed soon.', 'both', 'anyone or prow'),
  label('size/XS', '009900', 'Under 10 changed lines, generated files not counted.', 'prs', 'prow'),
  label('size/S', '77bb00', '10 to 29 changed lines, generated files not counted.', 'prs', 'prow'),
  label('size/M', 'eebb00', '30 to 99 changed lines, generated files not counted.', 'prs', 'prow'),
  label('size/L', 'ee9900', '100 to 499 changed lines, generated files not counted.', 'prs', 'prow'),
  label('size/XL', 'ee5500', '500 to 999 changed lines, generated files not counted.', 'prs', 'prow'),
  label('size/XXL', 'ee0000', '1000 or more changed lines, generated files not counted.', 'prs', 'prow'),
];
