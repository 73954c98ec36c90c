import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@kubevirt-ci/topology';

// A checkout of a few files with the real launcher, esbuild and tsx, so that what is built and
// when is seen from outside, as a person running `pnpm synth` sees it.
const root = mkdtempSync(join(tmpdir(), 'cli-launcher-'));
const outside = mkdtempSync(join(tmpdir(), 'cli-launcher-outside-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

mkdirSync(join(root, 'tools/bin'), { recursive: true });
copyFileSync(join(repoRoot, 'tools/bin/cli.mjs'), join(root, 'tools/bin/cli.mjs'));
symlinkSync(join(repoRoot, 'tools/node_modules'), join(root, 'tools/node_modules'));
mkdirSync(join(root, 'node_modules'));
symlinkSync(join(repoRoot, 'node_modules/tsx'), join(root, 'node_modules/tsx'));
write(join(root, 'pnpm-lock.yaml'), 'lockfileVersion: 9.0\n');
write(join(root, 'tools/src/lib/word.ts'), "export const word: string = 'one';\n");
write(join(root, 'tools/src/data.txt'), 'beside the module\n');
write(join(root, 'apps/a/src/index.ts'), "export const name: string = 'a';\n");
write(join(outside, 'src/index.ts'), "export const name: string = 'outside';\n");
write(join(outside, 'package.json'), '{ "type": "module" }\n');
write(
  join(root, 'tools/src/hello.ts'),
  `import { readFileSync } from 'node:fs';
import { ConfigMap } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { word } from './lib/word.ts';

type Registry = { load(entry: string): Promise<{ name: string }> };
const registry = (globalThis as Record<symbol, Registry>)[Symbol.for('kubevirt-ci.bundled-modules')]!;
const names: string[] = [];
for (const entry of process.argv.slice(2)) names.push((await registry.load(entry)).name);
const data = readFileSync(new URL('./data.txt', import.meta.url), 'utf8').trim();
const model = new ConfigMap({ metadata: { name: 'c' } }).toJSON().kind;
console.log(JSON.stringify({ word, data, yaml: parse('a: 1'), model, names, script: process.argv[1] }));
`,
);

const cache = () => {
  const base = join(root, 'node_modules/.cache/kubevirt-ci/cli');
  return join(base, readdirSync(base)[0]!);
};
const pointer = () => JSON.parse(readFileSync(join(cache(), 'hello.json'), 'utf8')) as { dir: string; entries: string[]; vendored: string[] };
const vendorList = () => join(dirname(pointer().vendored[0]!), 'modules.json');
const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'tools/bin/cli.mjs'), ...args], { cwd: root, encoding: 'utf8' });

describe('tools/bin/cli.mjs, the launcher every command runs through', () => {
  it('runs a command built to JavaScript: its own files beside it, installed packages, its arguments where tsx puts them', () => {
    const r = run('hello', join(root, 'apps/a/src/index.ts'));
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ word: 'one', data: 'beside the module', yaml: { a: 1 }, model: 'ConfigMap', names: ['a'], script: join(root, 'tools/src/hello.ts') });
    expect(r.status).toBe(0);
  });

  it('imports the model packages from a bundle of their own, beside the build', () => {
    const { vendored } = pointer();
    expect(vendored).toHaveLength(1);
    expect(dirname(vendored[0]!).startsWith(join(cache(), 'vendor-'))).toBe(true);
    expect(JSON.parse(readFileSync(vendorList(), 'utf8'))).toEqual([realpathSync(join(repoRoot, 'tools/node_modules/kubernetes-models/v1/index.js'))]);
    expect(readFileSync(join(cache(), pointer().dir, 'hello.mjs'), 'utf8')).toContain(vendored[0]!);
  });

  it('builds once: a second run uses the same build', () => {
    const before = pointer().dir;
    const written = statSync(join(cache(), 'hello.json')).mtimeMs;
    expect(JSON.parse(run('hello').stdout).word).toBe('one');
    expect(pointer().dir).toBe(before);
    expect(statSync(join(cache(), 'hello.json')).mtimeMs).toBe(written);
  });

  it('builds again when a source changes, and never runs the old code; the model bundle is kept', () => {
    const before = pointer().dir;
    const vendor = statSync(vendorList()).mtimeMs;
    write(join(root, 'tools/src/lib/word.ts'), "export const word: string = 'three';\n");
    expect(JSON.parse(run('hello').stdout).word).toBe('three');
    expect(pointer().dir).not.toBe(before);
    expect(statSync(vendorList()).mtimeMs).toBe(vendor);
  });

  it('builds the model bundle again, and the command, when it has been removed', () => {
    rmSync(dirname(vendorList()), { recursive: true });
    expect(JSON.parse(run('hello').stdout).model).toBe('ConfigMap');
    expect(existsSync(pointer().vendored[0]!)).toBe(true);
  });

  it('carries a package added to apps/ once it is there, and loads one outside the checkout through tsx', () => {
    write(join(root, 'apps/b/src/index.ts'), "export const name: string = 'b';\n");
    const r = run('hello', join(root, 'apps/b/src/index.ts'), join(outside, 'src/index.ts'));
    expect(JSON.parse(r.stdout).names).toEqual(['b', 'outside']);
    expect(pointer().entries).toEqual([join(root, 'apps/a/src/index.ts'), join(root, 'apps/b/src/index.ts')]);
  });

  it('refuses a source that does not build with esbuild naming the file, without a stack trace, and recovers once it is fixed', () => {
    write(join(root, 'tools/src/lib/word.ts'), "export const word: string = 'four\n");
    const r = run('hello');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('tools/src/lib/word.ts:1:');
    expect(r.stderr).toContain('cli: tools/src/hello.ts could not be built; fix the errors above (pnpm test\'s type check names them too)');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    write(join(root, 'tools/src/lib/word.ts'), "export const word: string = 'five';\n");
    expect(JSON.parse(run('hello').stdout).word).toBe('five');
  });

  it('names the commands there are when given one that is not', () => {
    const r = run('nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('cli: no command "nope"; commands are tools/src/<command>.ts: hello\n');
    expect(run().stderr).toBe('cli: no command given; commands are tools/src/<command>.ts: hello\n');
  });
});
