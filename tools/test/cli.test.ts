import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../src/lib/kubeconfig.ts';

const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
/** Every command the README lists that is one of our tools: `pnpm <name>` runs `node tools/bin/cli.mjs <command>`, tools/src/<command>.ts built. */
const tools = Object.entries(scripts).flatMap(([name, command]) => {
  const m = /^node tools\/bin\/cli\.mjs ([\w-]+)$/.exec(command);
  return m && existsSync(join(repoRoot, 'tools/src', `${m[1]}.ts`)) ? [[name, m[1]!] as const] : [];
});

describe('every tool', () => {
  it('is one of the commands the README documents', () => {
    expect(tools.map(([name]) => name).sort()).toEqual(['bench', 'bootstrap', 'cluster', 'diff', 'docs', 'secrets', 'smoke', 'status', 'synth', 'validate:manifests']);
  });

  it.each(tools)('%s answers --help with its own usage and exit 0, doing nothing else', (name, command) => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'tools/bin/cli.mjs'), command, '--help'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', KUBECONFIG: '/nonexistent' } });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]!.startsWith(`usage: ${name} `)).toBe(true);
    // Only the usage: no second paragraph of results, no progress, no table.
    expect(lines.filter((l) => l.startsWith('usage: ') || /^\s+\d/.test(l))).toEqual(lines.filter((l) => l.startsWith('usage: ')));
  });
});

describe('the kubeconfig', () => {
  it('is named when it does not exist, instead of a made-up localhost context', () => {
    const before = process.env['KUBECONFIG'];
    process.env['KUBECONFIG'] = '/nonexistent/kubeconfig';
    try {
      expect(() => loadKubeConfig('ibm-prow-jobs')).toThrow(
        'no kubeconfig: none of $KUBECONFIG (/nonexistent/kubeconfig) exists; pass --kubeconfig <file>, or set $KUBECONFIG to a kubeconfig with the cluster\'s context',
      );
    } finally {
      if (before === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = before;
    }
  });

  it('names the contexts it has when the one asked for is not there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    try {
      const file = join(dir, 'config');
      writeFileSync(
        file,
        'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: kind-hub, context: {cluster: c, user: u}}]\ncurrent-context: kind-hub\n',
      );
      expect(() => loadKubeConfig('ibm-prow-jobs', file)).toThrow('context "ibm-prow-jobs" is not in the kubeconfig (it has: kind-hub); pass --context with one of them, or add it with kubectl config');
      expect(loadKubeConfig('kind-hub', file).getCurrentContext()).toBe('kind-hub');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the README', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const layout = readme.slice(readme.indexOf('## Layout'), readme.indexOf('## How the pieces fit'));
  const apps = readdirSync(join(repoRoot, 'apps'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

  it('lists every app in its layout, and every app has a README of its own', () => {
    expect(apps.length).toBeGreaterThan(5);
    expect(apps.filter((a) => !layout.includes(`\n  ${a}/ `))).toEqual([]);
    expect(apps.filter((a) => !existsSync(join(repoRoot, 'apps', a, 'README.md')))).toEqual([]);
  });

  it('lists every tool in its commands table and its layout', () => {
    expect(tools.map(([name]) => name).filter((name) => !readme.includes(`| \`pnpm ${name === 'docs' ? 'run docs' : name}`))).toEqual([]);
    expect(tools.map(([name]) => name).filter((name) => !layout.includes(name))).toEqual([]);
  });

  it('links only to files in the repository', () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]!).filter((l) => !/^https?:/.test(l));
    expect(links.length).toBeGreaterThan(1);
    expect(links.filter((l) => !existsSync(join(repoRoot, l)) || l.startsWith('..'))).toEqual([]);
  });
});
