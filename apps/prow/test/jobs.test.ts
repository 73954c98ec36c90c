import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology, render } from '@kubevirt-ci/synth';
import { objectsOf, problemsFrom } from '@kubevirt-ci/synth/testing';
import { enable, type Topology } from '@kubevirt-ci/topology';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { regexError } from '../src/config/check.ts';
import { app, configHashAnnotation } from '../src/index.ts';
import { loadJobTree, parseJobFile, type JobFile } from '../src/jobs/index.ts';
import { writeSampleTree } from '../src/jobs/sample-tree.ts';
import { shardBudget, shardJobFiles } from '../src/jobs/shards.ts';

const topology = await loadTopology();
/** The clusters that enable the build-cluster app, however many the roles declare. */
const buildClusters = render(topology).topology.clusters.filter((c) => c.apps.some((e) => e.app.name === 'build-cluster')).map((c) => c.name).join(', ');
const scratch = mkdtempSync(join(tmpdir(), 'prow-jobs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function withJobs(jobs: readonly JobFile[]): Topology {
  return { ...topology, roles: topology.roles.map((r) => ({ ...r, apps: r.apps.map((b) => (b.app.name === 'prow' ? enable(app, { jobs }) : b)) })) };
}
const prowObjects = (t: Topology) => objectsOf(render(t), 'ibm-prow-jobs', 'prow') as any[];
const file = (text: string, name = 'kubevirt-presubmits.yaml') => parseJobFile(name, `apps/prow/jobs/kubevirt/kubevirt/${name}`, text).job!;
const problems = (...files: JobFile[]) => problemsFrom(() => render(withJobs(files))).map((p) => `${p.file}: ${p.object}: ${p.field}: ${p.message}`);

/** A presubmit of kubevirt/kubevirt at line 3 of its file, with `extra` lines added to it. */
const presubmit = (extra = '', name = 'pull-test') =>
  `presubmits:\n  kubevirt/kubevirt:\n    - name: ${name}\n      cluster: prow-workloads\n${extra}      spec:\n        containers:\n          - image: quay.io/kubevirtci/bootstrap:v20260715-af3e234\n`;
const periodic = (extra: string) => `periodics:\n  - name: periodic-test\n    cluster: prow-workloads\n${extra}    spec:\n      containers:\n        - image: quay.io/kubevirtci/bootstrap:v20260715-af3e234\n`;
const at = (line: number) => `apps/prow/jobs/kubevirt/kubevirt/kubevirt-presubmits.yaml:${line}`;

describe('the job tree', () => {
  it("is apps/prow/jobs/<org>/<repo>/*.yaml, read in path order and handed to Prow as each file's own text", () => {
    const { files, problems: found } = loadJobTree();
    expect([found, files.map((f) => f.source)]).toEqual([
      [],
      ['apps/prow/jobs/kubevirt/kubevirt/kubevirt-periodics.yaml', 'apps/prow/jobs/kubevirt/kubevirt/kubevirt-presubmits.yaml', 'apps/prow/jobs/kubevirt/project-infra/project-infra-presubmits.yaml'],
    ]);
    const shard = prowObjects(topology).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'job-config-1');
    expect(Object.keys(shard.data)).toEqual(['kubevirt-periodics.yaml', 'kubevirt-presubmits.yaml', 'project-infra-presubmits.yaml']);
    expect(shard.data['kubevirt-presubmits.yaml']).toBe(readFileSync(new URL('../jobs/kubevirt/kubevirt/kubevirt-presubmits.yaml', import.meta.url), 'utf8'));
    // The anchors resolve: both presubmits carry the caches' presets.
    expect(files[1]!.config.presubmits!['kubevirt/kubevirt']!.map((j) => j.labels)).toEqual([
      { 'preset-bazel-cache': 'true', 'preset-docker-mirror-proxy': 'true' },
      { 'preset-bazel-cache': 'true', 'preset-docker-mirror-proxy': 'true' },
    ]);
  });

  it('names a file that is not YAML by its line, and two files of one name, and skips what is not YAML', () => {
    const root = join(scratch, 'tree');
    mkdirSync(join(root, 'kubevirt', 'a'), { recursive: true });
    mkdirSync(join(root, 'nmstate', 'b'), { recursive: true });
    writeFileSync(join(root, 'kubevirt', 'a', 'OWNERS'), 'approvers: [someone]\n');
    writeFileSync(join(root, 'kubevirt', 'a', 'jobs.yaml'), 'periodics: []\n');
    writeFileSync(join(root, 'nmstate', 'b', 'jobs.yaml'), 'periodics: []\n');
    writeFileSync(join(root, 'nmstate', 'b', 'broken.yaml'), 'periodics:\n  - name: x\n   cluster: y\n');
    const { files, problems: found } = loadJobTree(root, 'jobs');
    expect(files.map((f) => f.source)).toEqual(['jobs/kubevirt/a/jobs.yaml']);
    expect(found.map((p) => `${p.file}: ${p.message.split(':')[0]}`)).toEqual([
      'jobs/nmstate/b/broken.yaml:3: is not YAML Prow can read',
      'jobs/nmstate/b/jobs.yaml: has the name of jobs/kubevirt/a/jobs.yaml; Prow reads every job file from one directory, so names must differ',
    ]);
  });

  it('carries a setting it does not know through unchanged, and resolves merge keys as Prow does', () => {
    const text = `base: &base\n  cluster: prow-workloads\n${presubmit('      some_future_field: {keep: me}\n').replace('      cluster: prow-workloads\n', '      <<: *base\n')}`;
    const f = file(text);
    expect(f.config.presubmits!['kubevirt/kubevirt']![0]).toMatchObject({ cluster: 'prow-workloads', some_future_field: { keep: 'me' } });
    const shard = prowObjects(withJobs([f])).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'job-config-1');
    expect(shard.data['kubevirt-presubmits.yaml']).toBe(text);
  });
});

describe('a job synth refuses, by file and line, job and field', () => {
  const cases: [string, string, string[]][] = [
    ['a cluster that is not a build cluster', presubmit().replace('prow-workloads', 'prow-arm'), [`${at(4)}: job "pull-test": presubmits.kubevirt/kubevirt[0].cluster: "prow-arm" is not a Prow build cluster; there are: ${buildClusters}`]],
    ['no cluster, which Prow makes "default"', presubmit().replace('      cluster: prow-workloads\n', ''), [`${at(3)}: job "pull-test": presubmits.kubevirt/kubevirt[0].cluster: "default" is not a Prow build cluster (cluster is unset, and Prow defaults it to "default"); there are: ${buildClusters}`]],
    ['a name with spaces and capitals', presubmit('', '"Pull Test"'), [`${at(3)}: job "Pull Test": presubmits.kubevirt/kubevirt[0].name: "Pull Test" is not a job name Prow accepts (it must match ^[A-Za-z0-9-._]+$)`]],
    ['a name longer than a label value', presubmit('', `pull-${'x'.repeat(60)}`), [`${at(3)}: job "pull-${'x'.repeat(60)}": presubmits.kubevirt/kubevirt[0].name: "pull-${'x'.repeat(60)}" is not a valid label value (at most 63 characters, a letter or digit at each end), and Prow puts it in its ProwJob's and pod's prow.k8s.io/job label, cut to 63 (pkg/pod-utils/decorate/podspec.go), so jobs cut alike are one to label selectors`]],
    ['a label value YAML reads as a boolean', presubmit('      labels:\n        preset-bazel-cache: yes\n'), [`${at(6)}: job "pull-test": presubmits.kubevirt/kubevirt[0].labels.preset-bazel-cache: the value true is not a label value Kubernetes accepts`]],
    ['a preset nobody offers', presubmit('      labels:\n        preset-gpu: "true"\n'), [`${at(6)}: job "pull-test": presubmits.kubevirt/kubevirt[0].labels.preset-gpu: preset "preset-gpu" is not defined (there are: preset-bazel-cache, preset-docker-mirror-proxy, preset-kubevirtci-arm-kubeconfig, preset-kubevirtci-performance-kubeconfig)`]],
    ['a regex Go would not compile', presubmit('      run_if_changed: ^pkg/(?!vendor)\n'), [`${at(5)}: job "pull-test": presubmits.kubevirt/kubevirt[0].run_if_changed: "^pkg/(?!vendor)" does not compile as a Go (RE2) regular expression: error parsing regexp: invalid or unsupported Perl syntax: \`(?!\``]],
    ['a timeout that is not a duration', presubmit('      decoration_config:\n        timeout: forever\n'), [`${at(6)}: job "pull-test": presubmits.kubevirt/kubevirt[0].decoration_config.timeout: "forever" is not a duration such as 1h30m`]],
    ['a negative max_concurrency', presubmit('      max_concurrency: -1\n'), [`${at(5)}: job "pull-test": presubmits.kubevirt/kubevirt[0].max_concurrency: -1 is not a non-negative whole number`]],
    ['always_run with a changed-files condition', presubmit('      always_run: true\n      run_if_changed: ^pkg/\n'), [`${at(5)}: job "pull-test": presubmits.kubevirt/kubevirt[0].always_run: always_run with a changed-files condition; Prow refuses that`]],
    ['a trigger without its rerun command', presubmit('      trigger: (?m)^/test unit\n'), [`${at(3)}: job "pull-test": presubmits.kubevirt/kubevirt[0]: sets one of trigger and rerun_command; Prow needs both or neither (validateTriggering)`]],
    ['an extra ref without base_ref, and the job\'s own repository again', presubmit('      extra_refs:\n        - {org: kubevirt, repo: kubevirt}\n'), [
      `${at(6)}: job "pull-test": presubmits.kubevirt/kubevirt[0].extra_refs[0].base_ref: extra_refs[0] has no base_ref`,
      `${at(5)}: job "pull-test": presubmits.kubevirt/kubevirt[0].extra_refs: refers to kubevirt/kubevirt more than once (ValidateRefs)`,
    ]],
    ['an external KubeVirtCI cluster without its limits', presubmit('      labels:\n        preset-kubevirtci-arm-kubeconfig: "true"\n'), [
      `${at(3)}: job "pull-test": presubmits.kubevirt/kubevirt[0].max_concurrency: uses preset-kubevirtci-arm-kubeconfig, whose external KubeVirtCI cluster holds one job at a time, but max_concurrency is unset`,
      `${at(3)}: job "pull-test": presubmits.kubevirt/kubevirt[0].job_queue_name: uses preset-kubevirtci-arm-kubeconfig, so it must wait in queue "kubevirtci-arm", not in none: two different jobs must never share that cluster`,
    ]],
    ['a queue plank does not have', presubmit('      job_queue_name: gpus\n'), [`${at(5)}: job "pull-test": presubmits.kubevirt/kubevirt[0].job_queue_name: "gpus" is not a queue of plank.job_queue_capacities (there are: kubevirtci-arm, kubevirtci-performance)`]],
    ['a cron schedule of four fields', periodic('    cron: 0 2 * *\n'), [`${at(4)}: job "periodic-test": periodics[0].cron: "0 2 * *" has 4 fields; Prow's cron takes 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)`]],
    ['two schedules', periodic('    cron: 0 2 * * *\n    interval: 24h\n'), [`${at(2)}: job "periodic-test": periodics[0]: a periodic needs exactly one of cron, interval and minimal_interval (it has cron and interval)`]],
    ['a job with no spec', 'presubmits:\n  kubevirt/kubevirt:\n    - name: pull-test\n      cluster: prow-workloads\n', [`${at(3)}: job "pull-test": presubmits.kubevirt/kubevirt[0]: has no spec; a kubernetes job needs one`]],
  ];
  it.each(cases)('%s', (_what, text, expected) => {
    expect(problems(file(text))).toEqual(expected);
  });

  it('names a presubmit declared twice for the same branches, in another file, but not for disjoint branches', () => {
    const main = file(presubmit('      branches: [main]\n'));
    const again = parseJobFile('kubevirt-presubmits-main.yaml', 'apps/prow/jobs/kubevirt/kubevirt/kubevirt-presubmits-main.yaml', presubmit('      branches: [main, release-1.5]\n')).job!;
    const release = parseJobFile('kubevirt-presubmits-1.5.yaml', 'apps/prow/jobs/kubevirt/kubevirt/kubevirt-presubmits-1.5.yaml', presubmit('      branches: [release-1.5]\n')).job!;
    expect(problems(main, again)).toEqual([
      `apps/prow/jobs/kubevirt/kubevirt/kubevirt-presubmits-main.yaml:3: job "pull-test": presubmits.kubevirt/kubevirt[0].name: presubmit "pull-test" of kubevirt/kubevirt is declared again for the same branches (${at(3)})`,
    ]);
    expect(() => render(withJobs([main, release]))).not.toThrow();
    // Two jobs on the same branches may not report to one GitHub context.
    const context = file(`${presubmit('      context: unit\n')}${presubmit('      context: unit\n', 'pull-other').replace('presubmits:\n  kubevirt/kubevirt:\n', '')}`);
    expect(problems(context)).toEqual([`${at(11)}: job "pull-other": presubmits.kubevirt/kubevirt[1].context: reports to the GitHub context "unit" as "pull-test" does (line 3), on the same branches`]);
  });

  it('accepts RE2 syntax and refuses what only other engines know', () => {
    expect([regexError('^(?:docs|hack)/.*\\.md$'), regexError('\\p{Greek}+'), regexError('(a)\\1'), regexError('[z-a]')]).toEqual([
      undefined,
      undefined,
      'error parsing regexp: invalid escape sequence: `\\1`',
      'error parsing regexp: invalid character class range: `z-a`',
    ]);
  });
});

describe('job-config at production size', () => {
  const root = join(scratch, 'production');
  const written = writeSampleTree(root, { cluster: 'prow-workloads', presets: ['preset-bazel-cache', 'preset-docker-mirror-proxy'] });
  const tree = loadJobTree(root, 'sample');

  it('loads 216 files and 1,655 jobs, as production has, and checks them clean', () => {
    expect([written.files, written.jobs, tree.problems, tree.files.length]).toEqual([216, 1655, [], 216]);
    expect(written.bytes).toBeGreaterThan(1_600_000);
  });

  it('is sharded into ConfigMaps each under the budget, every file once, and every reader mounts all of them as one directory', () => {
    const objects = prowObjects(withJobs(tree.files));
    const shards = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('job-config-'));
    expect(shards.map((s) => s.metadata.name)).toEqual(Array.from({ length: shards.length }, (_, i) => `job-config-${i + 1}`));
    expect(shards.length).toBe(10);
    for (const s of shards) expect([s.metadata.name, JSON.stringify(s.data).length <= shardBudget]).toEqual([s.metadata.name, true]);
    expect(shards.flatMap((s) => Object.keys(s.data)).sort()).toEqual(tree.files.map((f) => f.file).sort());
    const deck = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'deck').spec.template.spec;
    expect(deck.volumes.find((v: any) => v.name === 'job-config').projected.sources.map((s: any) => s.configMap.name)).toEqual(shards.map((s) => s.metadata.name));
    expect(deck.containers[0].args).toContain('--job-config-path=/etc/job-config');
  });

  it('rolls the pods when a job changes, and not for a comment', () => {
    const hash = (files: JobFile[]) => prowObjects(withJobs(files)).find((o) => o.kind === 'Deployment' && o.metadata.name === 'horologium').spec.template.metadata.annotations[configHashAnnotation];
    const first = tree.files[0]!;
    const reparse = (text: string) => parseJobFile(first.file, first.source, text).job!;
    const before = hash(tree.files);
    expect(hash([reparse(`# a comment\n${first.text}`), ...tree.files.slice(1)])).toBe(before);
    expect(hash([reparse(first.text.replace('timeout: 3h', 'timeout: 4h')), ...tree.files.slice(1)])).not.toBe(before);
  });

  it('refuses a file too large for one ConfigMap, naming it', () => {
    const big = parseJobFile('huge.yaml', 'apps/prow/jobs/kubevirt/kubevirt/huge.yaml', `periodics: []\n# ${'x'.repeat(shardBudget)}\n`).job!;
    expect(shardJobFiles([big]).problems.map((p) => `${p.file}: ${p.message}`)).toEqual([`apps/prow/jobs/kubevirt/kubevirt/huge.yaml: is ${JSON.stringify(big.text).length + 13} bytes as a ConfigMap holds it, more than the 200000 one ConfigMap of job config may hold`]);
    const packed = shardJobFiles(tree.files.slice(0, 3), 30_000).shards.map((s) => Object.keys(s));
    expect(packed.flat()).toEqual(tree.files.slice(0, 3).map((f) => f.file));
  });

  it('parses the rendered shards back to the same jobs', () => {
    const objects = prowObjects(withJobs(tree.files.slice(0, 2)));
    const shard = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'job-config-1');
    expect(parse(shard.data[tree.files[0]!.file], { merge: true })).toEqual(tree.files[0]!.config);
  });
});
