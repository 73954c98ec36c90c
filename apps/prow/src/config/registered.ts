/**
 * The in-tree plugins the pinned hook registers: pkg/hook/plugin-imports imports each package
 * of pkg/plugins, and each registers its handlers under one name (its PluginName, or the
 * literal its Register*Handler calls take), at versions.prow.commit (c47e31ece). hook refuses
 * a plugins.yaml naming any other (Configuration.ValidatePluginsUnknown, pkg/plugins/config.go).
 */
export const hookPlugins: ReadonlySet<string> = new Set([
  'approve', 'assign', 'blockade', 'blunderbuss', 'branchcleaner', 'bugzilla', 'buildifier', 'cat', 'cherry-pick-approved', 'cherry-pick-unapproved',
  'cla', 'config-updater', 'dco', 'dog', 'golint', 'goose', 'heart', 'help', 'hold', 'invalidcommitmsg', 'issue-management', 'jira', 'label', 'lgtm',
  'lifecycle', 'merge-method-comment', 'mergecommitblocker', 'milestone', 'milestoneapplier', 'milestonestatus', 'override', 'owners-label', 'pony',
  'project', 'project-manager', 'release-note', 'require-matching-label', 'retitle', 'shrug', 'sigmention', 'size', 'skip', 'slackevents', 'stage',
  'testfreeze', 'transfer-issue', 'trick-or-treat', 'trigger', 'verify-owners', 'welcome', 'wip', 'yuks',
]);
