import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../../..');

/** The installed packages a module reaches through its static imports, following our own workspace packages. */
function externalsOf(entry: string): string[] {
  const seen = new Set<string>();
  const externals = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/gms)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else if (spec.startsWith('@kubevirt-ci/')) {
        const [, name, sub] = /^@kubevirt-ci\/([^/]+)(?:\/(.+))?$/.exec(spec)!;
        const dir = ['packages', 'apps'].map((d) => join(repoRoot, d, name!)).find((d) => existsSync(join(d, 'package.json')))!;
        const exports = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, string> }).exports;
        visit(join(dir, exports[sub ? `./${sub}` : '.']!));
      } else if (!spec.startsWith('node:')) externals.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(entry);
  return [...externals].sort();
}

describe("the validator's imports", () => {
  it('reach no renderer (cdk8s, constructs), no model package and no topology schema (zod): a command that only reads loads none of them', () => {
    expect(externalsOf(join(repoRoot, 'packages/validate/src/index.ts'))).toEqual(['@prometheus-io/lezer-promql', 'ajv', 'js-yaml', 'yaml']);
  });
});
