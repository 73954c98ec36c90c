import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@kubevirt-ci/topology';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestsAt } from '../src/git.ts';

const tsx = join(repoRoot, 'tools/node_modules/.bin/tsx');
const dir = 'clusters/workloads/manifests/prow-workloads/greenhouse';
let repo: string;

function git(...args: string[]) {
  const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}

function diff(...args: string[]) {
  const r = spawnSync(tsx, [join(repoRoot, 'tools/src/diff.ts'), '--repo', repo, ...args], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout + r.stderr };
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'diff-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.org');
  git('config', 'user.name', 'test');
  mkdirSync(join(repo, dir), { recursive: true });
  writeFileSync(join(repo, dir, 'service-greenhouse.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: greenhouse\n  namespace: greenhouse\nspec:\n  ports:\n    - port: 8080\n');
  writeFileSync(join(repo, 'README.md'), 'x\n');
  git('add', '-A');
  git('commit', '-qm', 'base');
  writeFileSync(join(repo, dir, 'service-greenhouse.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: greenhouse\n  namespace: greenhouse\nspec:\n  ports:\n    - port: 9090\n');
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('manifestsAt', () => {
  it('reads every manifest at a revision, and nothing else', () => {
    expect(manifestsAt(repo, 'main')).toEqual(
      new Map([[`${dir}/service-greenhouse.yaml`, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: greenhouse\n  namespace: greenhouse\nspec:\n  ports:\n    - port: 8080\n']]),
    );
  });
});

describe('diff', () => {
  it('shows the working tree against HEAD by default', () => {
    expect(diff()).toEqual({
      code: 0,
      out: 'Rendered manifests, HEAD -> working tree: 0 added, 0 removed, 1 changed\n\nprow-workloads / greenhouse\n  ~ Service greenhouse/greenhouse\n      spec.ports[0].port: 8080 -> 9090\n',
    });
  });

  it('prints Markdown against a named base', () => {
    const r = diff('--base', 'main', '--format', 'markdown');
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 3)).toEqual(['### Rendered manifests, main -> working tree', '', '0 added, 0 removed, 1 changed objects.']);
  });

  it('refuses an unknown revision or format with exit 2', () => {
    const unknown = diff('--base', 'no-such-branch');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toMatch(/^diff: cannot read the manifests at "no-such-branch": git rev-parse/);
    expect(diff('--format', 'xml')).toEqual({ code: 2, out: 'diff: --format must be text or markdown, not "xml"\n' });
  });
});

describe('diff of a Prow change', () => {
  const prow = 'clusters/control-plane/manifests/ibm-prow-jobs/prow';
  const config = readFileSync(join(repoRoot, prow, 'configmap-config.yaml'), 'utf8');
  const jobs = readFileSync(join(repoRoot, prow, 'configmap-job-config-1.yaml'), 'utf8');
  const job = ['        - name: pull-kubevirt-new-lane', '          cluster: prow-workloads', '          always_run: true', '          spec:', '            containers:', '              - image: quay.io/kubevirtci/bootstrap:v1', ''].join('\n');
  let prowRepo: string;

  beforeAll(() => {
    // The committed Prow ConfigMaps as the base; a new first job and one changed key as the change.
    prowRepo = mkdtempSync(join(tmpdir(), 'diff-prow-'));
    const g = (...args: string[]) => spawnSync('git', ['-c', 'user.email=test@example.org', '-c', 'user.name=test', ...args], { cwd: prowRepo });
    g('init', '-q', '-b', 'main');
    mkdirSync(join(prowRepo, prow), { recursive: true });
    writeFileSync(join(prowRepo, prow, 'configmap-config.yaml'), config);
    writeFileSync(join(prowRepo, prow, 'configmap-job-config-1.yaml'), jobs);
    g('add', '-A');
    g('commit', '-qm', 'base');
    expect(config).toContain('\n      max_pod_age: 30m\n');
    expect(jobs).toContain('\n      kubevirt/kubevirt:\n        - name: ');
    writeFileSync(join(prowRepo, prow, 'configmap-config.yaml'), config.replace('\n      max_pod_age: 30m\n', '\n      max_pod_age: 45m\n'));
    writeFileSync(join(prowRepo, prow, 'configmap-job-config-1.yaml'), jobs.replace('\n      kubevirt/kubevirt:\n', `\n      kubevirt/kubevirt:\n${job}`));
  });
  afterAll(() => rmSync(prowRepo, { recursive: true, force: true }));

  it('shows exactly the added job and the changed key, as lines of the text they are in', () => {
    const r = spawnSync(tsx, [join(repoRoot, 'tools/src/diff.ts'), '--repo', prowRepo], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    const out = r.stdout.split('\n');
    const changed = (l: string) => /^ {8}[-+]/.test(l);
    expect([r.status, out[0], out[2]]).toEqual([0, 'Rendered manifests, HEAD -> working tree: 0 added, 0 removed, 2 changed', 'ibm-prow-jobs / prow']);
    expect(out.filter(changed)).toEqual([
      '        -  max_pod_age: 30m',
      '        +  max_pod_age: 45m',
      ...job.trimEnd().split('\n').map((l) => `        +${l.slice(4)}`),
    ]);
    expect(out.filter((l) => /^ {2,6}\S/.test(l))).toEqual(['  ~ ConfigMap kubevirt-prow/config', '      data.config.yaml:', '  ~ ConfigMap kubevirt-prow/job-config-1', '      data.kubevirt-presubmits.yaml:']);
  });
});

describe('docs', () => {
  it('passes --check on the committed docs', () => {
    const r = spawnSync(tsx, [join(repoRoot, 'tools/src/docs.ts'), '--check'], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    expect([r.status, r.stdout]).toEqual([0, 'docs --check: docs/ is up to date\n']);
  });
});
