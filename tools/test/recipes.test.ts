/**
 * The README's recipes, done as a person would in a copy of this checkout: edit the file it
 * names, run the commands it names, and run the whole test suite. Every other test derives
 * what it expects from the topology; this one shows that they really do.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifests } from '@kubevirt-ci/synth';
import { repoRoot } from '@kubevirt-ci/topology';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Set in the copy's own test run, which must not copy itself again. */
const nested = process.env['KUBEVIRT_CI_RECIPE_COPY'] === '1';

/** The entry the README's "Add a workloads cluster" recipe adds: a few lines of data, one value of its own. */
const s390x = `    {
      name: 'prow-s390x-workloads',
      description: 'Bare-metal s390x workers; runs the s390x e2e jobs.',
      uses: { services: ['quay'], buckets: ['build-artifacts'] },
      connectedClusters: [{ cluster: 'ibm-prow-jobs', why: 'it sends Prow jobs here to be executed' }],
      exposes: [],
      values: { prometheus: { prometheus: { retentionDays: 3 } } },
    },
`;

let copy: string;

/** Runs a command in the copy as a person would, without the outer turbo's task environment. */
function run(command: string, args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TURBO_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  const r = spawnSync(command, args, { cwd: copy, encoding: 'utf8', env: { ...clean, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0', ...env }, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function git(...args: string[]) {
  const r = run('git', ['-c', 'user.name=recipe', '-c', 'user.email=recipe@kubevirt-ci.test', ...args]);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.out}`);
  return r.out;
}

describe.skipIf(nested)("the README's recipe for adding a workloads cluster", () => {
  beforeAll(() => {
    // The working tree as it is (tracked files and new ones git does not ignore), as one commit.
    copy = mkdtempSync(join(tmpdir(), 'recipe-'));
    const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' })
      .stdout.split('\0')
      .filter((f) => f !== '');
    const copied = spawnSync('cp', ['--parents', '--no-dereference', '-t', copy, ...files], { cwd: repoRoot, encoding: 'utf8' });
    if (copied.status !== 0) throw new Error(`copying the checkout failed: ${copied.stderr}`);
    git('init', '--quiet');
    git('add', '--all');
    git('commit', '--quiet', '--message', 'the checkout under test');
    // The packages come from the store the outer install filled; nothing is downloaded.
    const install = run('pnpm', ['install', '--offline', '--frozen-lockfile']);
    if (install.code !== 0) throw new Error(`pnpm install --offline failed in the copy:\n${install.out}`);
  });
  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('adds the cluster with one entry in clusters/workloads/src/index.ts, then pnpm synth and pnpm run docs', () => {
    const file = join(copy, 'clusters/workloads/src/index.ts');
    const source = readFileSync(file, 'utf8');
    // The entry goes last in the role's `clusters` list, which closes the file's defineRole().
    const end = source.lastIndexOf('  ],\n});');
    expect(end).toBeGreaterThan(0);
    writeFileSync(file, source.slice(0, end) + s390x + source.slice(end));

    // Until synth has rendered the change, pnpm diff refuses to show an old picture.
    const early = run('pnpm', ['--silent', 'diff']);
    expect([early.code, early.out.split('\n')[0]]).toEqual([2, expect.stringMatching(/^diff: the TypeScript has changed since the manifests were rendered; \d+ files differ from what it renders now:$/)]);

    const synth = run('pnpm', ['synth']);
    expect(synth.code, synth.out).toBe(0);
    expect(synth.out).toContain('clusters/workloads/manifests: prow-workloads, prow-s390x-workloads; ');
    const diff = run('pnpm', ['--silent', 'diff']);
    expect([diff.code, diff.out]).toEqual([0, expect.stringContaining('\nprow-s390x-workloads / greenhouse\n  + Deployment kubevirt-prow/greenhouse\n')]);
    const docs = run('pnpm', ['run', 'docs']);
    expect(docs.code, docs.out).toBe(0);
    git('add', '--all');
    git('commit', '--quiet', '--message', 'add the s390x workloads cluster');

    // The new cluster gets the same Applications as prow-workloads, under its own name.
    const files = [...readManifests(copy).keys()];
    const apps = (cluster: string) =>
      files
        .filter((f) => f.startsWith(`clusters/workloads/manifests/${cluster}/application-`))
        .map((f) => f.slice(f.lastIndexOf('/') + 1).replace(cluster, '<cluster>'))
        .sort();
    expect(apps('prow-s390x-workloads')).toEqual(apps('prow-workloads'));
    expect(apps('prow-workloads').length).toBeGreaterThan(3);
  });

  // The whole suite, cold, beside the outer run's other tasks (it starts its own test
  // clusters too): its hang guard is three of the others', not a speed limit.
  it('keeps the whole suite green: pnpm test in the copy passes', { timeout: 30 * 60_000 }, () => {
    const test = run('pnpm', ['test'], { KUBEVIRT_CI_RECIPE_COPY: '1' });
    expect(test.code, test.out.slice(-20_000)).toBe(0);
    const tasks = /Tasks:\s+(\d+) successful, (\d+) total/.exec(test.out);
    expect(tasks?.[1]).toBe(tasks?.[2]);
    // Nothing in the copy was already cached: every task ran on the grown topology.
    expect(test.out).toMatch(/Cached:\s+0 cached/);
  });
});
