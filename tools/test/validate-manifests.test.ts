import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readManifests } from '@kubevirt-ci/synth';
import { repoRoot, versions } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';

const tsx = join(repoRoot, 'tools/node_modules/.bin/tsx');

function validate(args: string[], input?: string) {
  const r = spawnSync(tsx, [join(repoRoot, 'tools/src/validate-manifests.ts'), ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  // Progress lines of a first build of kubeconform (normally done by the prepare-tools task) are not results.
  const stderr = r.stderr.split(/(?<=\n)/).filter((l) => !l.startsWith('upstream: ')).join('');
  return { code: r.status, out: r.stdout + stderr };
}

describe('validate:manifests', () => {
  it("passes on this repository's rendered manifests, kubeconform and the pinned kube-apiserver included", () => {
    const r = validate(['--repo']);
    expect(r.code).toBe(0);
    // Only the stages' result: kubeconform and the API servers ran (no "skipped" line), built beforehand by the prepare-tools task.
    const files = [...readManifests(repoRoot).keys()].filter((f) => f.endsWith('.yaml')).length;
    expect(files).toBeGreaterThan(100);
    expect(r.out).toBe(`0 errors, 0 warnings in ${files} files (${files} objects)\n`);
  });

  it('runs the pinned kubeconform, strict, offline, and merges its findings', () => {
    const bad = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ci}\ndata: {a: b}\nbinaryData: 7\n';
    const r = validate(['--no-apiserver', '--provided', 'Namespace:ci', '-'], bad);
    expect(r.code).toBe(1);
    expect(r.out.split('\n').filter((l) => l.includes('kubeconform/'))).toEqual(['  1: error kubeconform/invalid ConfigMap ci/c (binaryData): got number, want object']);
  });

  it("points at --repo when our own manifests are validated without what lives outside them", () => {
    const r = validate(['--no-kubeconform', '--no-apiserver', 'clusters/workloads/manifests']);
    // A fragment: what it refers to and does not hold (the provided Secrets) are warnings.
    expect([r.code, r.out.includes(' error ')]).toEqual([0, false]);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(
      "hint: these are this repository's rendered manifests; `pnpm validate:manifests --repo` validates them with what lives outside the files (provided Secrets, the Argo CD graph)",
    );
    expect(validate(['--no-kubeconform', '--no-apiserver', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n').out).not.toContain('hint:');
  });

  it("parses each container's command line with its own program: a flag thanos does not define is refused", () => {
    const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: thanos-query, namespace: monitoring}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n        - name: query\n          image: ${versions.thanos}\n          args: [query, --query.replica-labels=prometheus_replica]\n`;
    const r = validate(['--no-kubeconform', '--no-apiserver', '--provided', 'Namespace:monitoring', '-'], deployment);
    expect(r.out.split('\n').filter((l) => l.includes('flags/'))).toEqual([
      `  1: error flags/refused Deployment monitoring/thanos-query (spec.template.spec.containers[name=query].args): thanos ${versions.thanos.split(':')[1]} refuses its command line: thanos: error: unknown long flag '--query.replica-labels'`,
    ]);
  });

  it('dry-runs each object and each pod template on the pinned kube-apiserver, with its namespace made as rendered', () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ci, labels: {pod-security.kubernetes.io/enforce: baseline}}\n';
    const daemonSet = 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: ci}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      hostNetwork: true\n      containers: [{name: agent, image: "agent:1"}]\n';
    const r = validate(['--no-kubeconform', '-'], `${ns}---\n${daemonSet}`);
    expect(r.code).toBe(1);
    expect(r.out.split('\n').filter((l) => l.includes('apiserver/'))).toEqual([
      '  5: error apiserver/pod-security DaemonSet ci/agent (spec.template.spec): kube-apiserver refuses the pods of this template (403): pods "daemonset-agent" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)',
    ]);
  });

  it('exits 1 with findings for bad input on standard input, as JSON when asked', () => {
    const r = validate(['--format', 'json', '--no-apiserver', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { findings: { rule: string; file: string; line: number; message: string }[] };
    expect(report.findings.map((f) => [f.rule, f.file, f.line, f.message])).toEqual([
      ['kubeconform/unreadable-object', '<stdin>', 0, 'error unmarshalling resource: error converting YAML to JSON: yaml: unmarshal errors:\n  line 5: key "name" already set in map'],
      ['parse/duplicate-key', '<stdin>', 5, 'duplicate key "name"'],
    ]);
  });

  it('skips a kind with no schema only when told why', () => {
    const widget = 'apiVersion: example.io/v1\nkind: Widget\nmetadata: {name: w}\n';
    expect(validate(['--no-kubeconform', '--no-apiserver', '-'], widget).code).toBe(1);
    expect(validate(['--no-kubeconform', '--no-apiserver', '--skip', 'example.io/Widget=our own CRD, schema not published', '-'], widget)).toEqual({ code: 0, out: '0 errors, 0 warnings in 1 files (1 objects)\n' });
    expect(validate(['--skip', 'example.io/Widget', '-'], widget)).toEqual({ code: 2, out: 'validate:manifests: --skip example.io/Widget: write it as <kind>=<reason>; a kind is skipped only with a reason\n' });
  });

  it('takes objects that exist outside the files', () => {
    const pod = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ci}\n';
    expect(validate(['--no-kubeconform', '--no-apiserver', '-'], pod).out).toContain('cross/namespace');
    expect(validate(['--no-kubeconform', '--no-apiserver', '--provided', 'Namespace:ci', '-'], pod)).toEqual({ code: 0, out: '0 errors, 0 warnings in 1 files (1 objects)\n' });
    expect(validate(['--provided', 'ci', '-'], pod)).toEqual({ code: 2, out: 'validate:manifests: --provided ci: write it as Kind:namespace/name or Kind:name\n' });
  });

  it('exits 2 when the input or the arguments are unusable', () => {
    expect(validate(['no/such/dir'])).toEqual({ code: 2, out: 'validate:manifests: no such file or directory: no/such/dir\n' });
    expect(validate(['--format', 'sarif', 'clusters'])).toEqual({ code: 2, out: 'validate:manifests: --format must be text, json or junit, not "sarif"\n' });
    expect(validate([])).toEqual({ code: 2, out: 'validate:manifests: name at least one file or directory, or - for standard input\n' });
  });
});

describe('bench', () => {
  it('runs every stage for the sizes asked, with a row each (the figures are read, never asserted)', () => {
    const r = spawnSync(tsx, [join(repoRoot, 'tools/src/bench.ts'), '--clusters', '1,2', '--cli'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const rows = lines.slice(2, 18).map((l) => l.trim().split(/\s{2,}/).slice(0, 3));
    const stages = ['synth', 'parse', 'schema', 'cross-resource', 'policy', 'argo cd graph', 'built-in stages', 'built-in, 1st run'];
    expect(rows).toEqual([...stages.map((s) => ['1', s, '301']), ...stages.map((s) => ['2', s, '416'])]);
    // Prow's job config at production's size: the generated tree, and a figure per stage.
    const jobs = lines.findIndex((l) => l.startsWith("job config at production's size"));
    expect(lines[jobs]).toMatch(/^job config at production's size: 216 files, 1655 jobs, 1\.\d\d MB/);
    expect(lines.slice(jobs + 1, jobs + 5).map((l) => l.trim().replace(/\s+\d+\.\d\d.*$/, ''))).toEqual(['load (read and parse, with lines)', 'render of both clusters (check, shard, serialise)', 'write, as synth writes', 'validate CLI (built-in stages)']);
    // The production-sized tree renders into manifests the validator finds no error in.
    expect(lines[jobs + 4]).toMatch(/\(0 errors\)$/);
    // The whole commands on the same files: a row per size, every figure a number.
    const cli = lines.slice(lines.findIndex((l) => l.startsWith('the validator CLI')) + 2).map((l) => l.trim().split(/\s+/));
    expect(cli.map((c) => c.slice(0, 2))).toEqual([['1', '301'], ['2', '416']]);
    expect(cli.flatMap((c) => c.slice(2)).filter((v) => !/^\d+\.\d\d$/.test(v))).toEqual([]);
    expect(r.stdout).not.toContain('warning:');
  });
});
