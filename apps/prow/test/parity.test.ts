import { readFileSync } from 'node:fs';
import { loadTopology, render } from '@kubevirt-ci/synth';
import { objectsOf } from '@kubevirt-ci/synth/testing';
import { describe, expect, it } from 'vitest';
import { covers, digestsOf, parityGaps, parityTable, parseProwFile, type ProductionDigest } from '../src/config/parity.ts';
import { labelsPolicy, overlay, readPolicy, type PolicyFile } from '../src/config/policy.ts';

const objects = objectsOf(render(await loadTopology()), 'ibm-prow-jobs', 'prow') as any[];
const data = (name: string) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name).data;
const rendered: Record<PolicyFile, string> = {
  'config.yaml': data('config')['config.yaml'],
  'plugins.yaml': data('plugins')['plugins.yaml'],
  'labels.yaml': data('label-config')['labels.yaml'],
};
const production = JSON.parse(readFileSync(new URL('../src/config/policy/production.json', import.meta.url), 'utf8')) as ProductionDigest;
const rows = parityTable(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));
const oursFrom = (texts: Record<PolicyFile, string>) =>
  Object.fromEntries(Object.entries(texts).map(([f, t]) => [f, digestsOf(parseProwFile(f as PolicyFile, t))])) as Record<PolicyFile, Record<string, string>>;
const ours = oursFrom(rendered);

describe("parity with production's Prow config", () => {
  it('renders every setting of production as it is, or the README says why not, and no row is stale', () => {
    expect(production.commit).toBe('2c863fd10cfd01aa767a9a202465f3ac39c98da9');
    expect(Object.values(production.settings).map((s) => Object.keys(s).length)).toEqual([216, 100, 9]);
    expect(rows.length).toBe(17);
    expect(parityGaps(ours, production, rows)).toEqual({ unexplained: [], stale: [] });
  });

  it("carries production's tide, branch protection, reporting and plugin settings exactly", () => {
    const carried = ['tide.batch_size_limit.kubevirt/kubevirt', 'tide.context_options.orgs.kubevirt.repos.dashboard.from-branch-protection', 'tide.priority', 'tide.queries', 'slack_reporter_configs.kubevirt/kubevirt.job_types_to_report', 'branch-protection.orgs.kubevirt.repos.kubevirt.branches.main.require_manually_triggered_jobs', 'decorate_all_jobs', 'plank.job_url_template'];
    expect(carried.map((p) => [p, ours['config.yaml'][p] !== undefined && ours['config.yaml'][p] === production.settings['config.yaml'][p]])).toEqual(carried.map((p) => [p, true]));
    const plugins = ['approve', 'lgtm', 'triggers', 'override.allowed_github_teams.kubevirt', 'label.restricted_labels.kubevirt', 'plugins.kubevirt.plugins', 'plugins.kubevirt/kubevirt.plugins'];
    expect(plugins.map((p) => [p, ours['plugins.yaml'][p] === production.settings['plugins.yaml'][p]])).toEqual(plugins.map((p) => [p, true]));
    expect(ours['labels.yaml']).toEqual(production.settings['labels.yaml']);
  });

  it('finds a setting changed, added or dropped that no row explains', () => {
    const edited = {
      ...rendered,
      'config.yaml': rendered['config.yaml'].replace('max_pod_age: 30m', 'max_pod_age: 1h').replace('log_level: debug\n', 'log_level: debug\nbrand_new: 1\n').replace('  batch_size_limit:\n    kubevirt/kubevirt: 8\n', ''),
    };
    expect(parityGaps(oursFrom(edited), production, rows).unexplained).toEqual([
      { file: 'config.yaml', path: 'sinker.max_pod_age', here: 'changed' },
      { file: 'config.yaml', path: 'tide.batch_size_limit.kubevirt/kubevirt', here: 'not carried' },
      { file: 'config.yaml', path: 'brand_new', here: 'added' },
    ]);
  });

  it('reports a row that explains nothing, and a row explains only differences of its own kind', () => {
    const extra = [...rows, { file: 'config.yaml' as const, setting: 'sinker.**', here: 'changed' as const, why: 'stale' }];
    expect(parityGaps(ours, production, extra).stale).toEqual([{ file: 'config.yaml', setting: 'sinker.**', here: 'changed', why: 'stale' }]);
    // plank.job_queue_capacities.* is "added": it does not excuse dropping a setting production has there.
    const prodWithQueue = { ...production, settings: { ...production.settings, 'config.yaml': { ...production.settings['config.yaml'], 'plank.job_queue_capacities.gpu': 'x' } } };
    expect(parityGaps(ours, prodWithQueue, rows).unexplained).toEqual([{ file: 'config.yaml', path: 'plank.job_queue_capacities.gpu', here: 'not carried' }]);
  });

  it('matches a path by its keys, a key with dots in brackets, * for one key and ** for the rest', () => {
    expect([
      covers('config_updater.**', 'config_updater.maps[github/ci/jobs/**/*.yaml].name'),
      covers('plank.job_queue_capacities.*', 'plank.job_queue_capacities.kubevirtci-arm'),
      covers('plank.job_queue_capacities.*', 'plank.job_queue_capacities.a.b'),
      covers('tide.merge_method[kubevirt/kubevirt.github.io]', 'tide.merge_method[kubevirt/kubevirt.github.io]'),
      covers('tide', 'tide.sync_period'),
    ]).toEqual([true, true, false, true, false]);
  });
});

describe('the policy files', () => {
  it('are refused, with the file and the key, where they set what the topology derives', () => {
    const { problems } = overlay('config.yaml', { tide: { pr_status_base_urls: { '*': 'https://deck/pr' } }, plank: { job_url_template: 't' } }, { tide: { pr_status_base_urls: { '*': 'x' }, sync_period: '2m' }, plank: { pod_pending_timeout: '1h' } });
    expect(problems).toEqual([
      {
        file: 'apps/prow/src/config/policy/config.yaml',
        object: 'config.yaml',
        field: 'tide.pr_status_base_urls.*',
        message: 'is set from the topology already (hosts, buckets, namespaces, images, presets and plugin endpoints are derived there)',
        fix: 'remove tide.pr_status_base_urls.* from apps/prow/src/config/policy/config.yaml; change the topology or the component record instead',
      },
    ]);
  });

  it('say which line is not YAML, and which key the checks cannot read', () => {
    expect(readPolicy('config.yaml', 'tide:\n  queries: [\n').problems.map((p) => [p.file, p.field])).toEqual([['apps/prow/src/config/policy/config.yaml', 'line 3']]);
    expect(readPolicy('plugins.yaml', '- a list\n').problems.map((p) => [p.field, p.message])).toEqual([['(top level)', 'is not a mapping']]);
    expect(readPolicy('config.yaml', 'tide:\n  queries: every PR\n').problems.map((p) => p.field)).toEqual(['tide.queries']);
    expect(readPolicy('plugins.yaml', 'plugins:\n  kubevirt:\n    plugins: [lgtm, 3]\n').problems.map((p) => p.field)).toEqual(['plugins.kubevirt.plugins.1']);
    expect(readPolicy('plugins.yaml', 'plugins:\n  kubevirt:\n    plugins: lgtm\n').problems.map((p) => p.field)).toEqual(['plugins.kubevirt.plugins']);
  });

  it('read labels as the strings label_sync reads, whatever they look like', () => {
    const { value, problems } = labelsPolicy('default:\n  labels:\n    - name: a\n      color: 80e591\n    - name: b\n      color: 000000\n');
    expect([problems, value.default.labels.map((l) => l.color)]).toEqual([[], ['80e591', '000000']]);
  });
});
