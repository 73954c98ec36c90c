import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@kubevirt-ci/topology';
import { afterAll, describe, expect, it } from 'vitest';
import { sourcesProject, startTypecheck, type TypecheckOptions } from '../src/lib/typecheck.ts';

describe("synth's type check", () => {
  const dir = mkdtempSync(join(tmpdir(), 'typecheck-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, include: ['src'] }));
  const options = (tsc = join(repoRoot, 'node_modules/.bin/tsc')): TypecheckOptions => ({ root: dir, tsc, project: join(dir, 'tsconfig.json'), buildInfo: join(dir, '.cache/ts.tsbuildinfo'), sources: [join(dir, 'src')], inputs: [join(dir, 'tsconfig.json')] });

  it('runs the real compiler and reports each error with file, line and message', async () => {
    writeFileSync(join(dir, 'src/hub.ts'), "export const replicas: number = 'three';\n");
    expect(await startTypecheck(options())).toEqual({ ok: false, errors: ["src/hub.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'."] });
  });

  it('passes a tree that type-checks, and trusts that pass until a source changes', async () => {
    writeFileSync(join(dir, 'src/hub.ts'), 'export const replicas: number = 3;\n');
    expect(await startTypecheck(options())).toEqual({ ok: true, errors: [] });
    // No compiler to run, nothing changed: the last pass holds.
    expect(await startTypecheck(options(join(dir, 'no-tsc')))).toEqual({ ok: true, errors: [] });
    writeFileSync(join(dir, 'src/hub.ts'), 'export const replicas: number = 4;\n');
    const changed = await startTypecheck(options(join(dir, 'no-tsc')));
    expect([changed.ok, changed.errors[0]?.startsWith('could not run the TypeScript compiler:')]).toEqual([false, true]);
  });

  it("covers every role's, app's and package's source in this repository", () => {
    const p = sourcesProject(repoRoot);
    const rel = p.sources.map((s) => s.slice(repoRoot.length + 1));
    expect(rel.filter((s) => s.startsWith('clusters/'))).toEqual(['clusters/control-plane/src', 'clusters/workloads/src']);
    expect(rel).toContain('apps/prow/src');
    expect(rel).toContain('packages/synth/src');
  });
});
