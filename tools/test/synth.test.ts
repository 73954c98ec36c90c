import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';

const tsx = join(repoRoot, 'tools/node_modules/.bin/tsx');

function synth(...args: string[]) {
  const r = spawnSync(tsx, [join(repoRoot, 'tools/src/synth.ts'), ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('synth', () => {
  it('prints its usage with --help', () => {
    const r = synth('--help');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('usage: synth [--role <role>]... [--check] [--no-typecheck]');
  });

  it('passes --check on the committed manifests', () => {
    expect(synth('--check')).toEqual({ code: 0, out: 'synth --check: the manifests of control-plane, workloads are up to date\n' });
  });

  it('refuses an unknown role with exit 2, listing the roles', () => {
    expect(synth('--check', '--role', 'arm64')).toEqual({ code: 2, out: 'synth: unknown role arm64; roles are: control-plane, workloads\n' });
  });
});
