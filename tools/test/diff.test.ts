import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

describe('docs', () => {
  it('passes --check on the committed docs', () => {
    const r = spawnSync(tsx, [join(repoRoot, 'tools/src/docs.ts'), '--check'], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    expect([r.status, r.stdout]).toEqual([0, 'docs --check: docs/ is up to date\n']);
  });
});
