/**
 * The TypeScript compiler over every source a render runs (the roles, the hub's included, the
 * apps and the packages), started before the render so both run at once. A tree whose sources
 * hash as they did at the last passing check is not checked again; otherwise the compiler runs
 * incrementally from what it kept in node_modules/.cache.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface Typecheck {
  readonly ok: boolean;
  /** One line per error, `file(line,col): error TSxxxx: message`, paths relative to the root. */
  readonly errors: readonly string[];
}

export interface TypecheckOptions {
  readonly root: string;
  /** The TypeScript compiler to run. */
  readonly tsc: string;
  /** The tsconfig naming what to check. */
  readonly project: string;
  /** Where the compiler keeps its incremental state. */
  readonly buildInfo: string;
  /** The directories whose .ts files (with `inputs`) decide whether a passing check still holds. */
  readonly sources: readonly string[];
  readonly inputs: readonly string[];
}

/** The src directories the tsconfig's include patterns name (each one folder of packages deep), so what is hashed is what is checked. */
function includedSources(project: string): string[] {
  const include = (JSON.parse(readFileSync(project, 'utf8')) as { include: string[] }).include;
  return include.flatMap((pattern) => {
    const m = /^(.*)\/\*\/src$/.exec(pattern);
    if (!m) throw new Error(`${project}: include "${pattern}" is not of the form <dir>/*/src, which the type check's hash reads`);
    const parent = resolve(dirname(project), m[1]!);
    return readdirSync(parent).sort().filter((d) => existsSync(join(parent, d, 'src'))).map((d) => join(parent, d, 'src'));
  });
}

export function sourcesProject(root: string): TypecheckOptions {
  const project = join(root, 'tools/tsconfig.sources.json');
  return {
    root,
    tsc: join(root, 'node_modules/.bin/tsc'),
    project,
    buildInfo: join(root, 'node_modules/.cache/kubevirt-ci/sources.tsbuildinfo'),
    sources: includedSources(project),
    inputs: [project, join(root, 'tsconfig.base.json'), join(root, 'pnpm-lock.yaml')],
  };
}

/** Every source file's path and content, hashed: what a passing check was of. */
function sourcesStamp(o: TypecheckOptions): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) stamp(p);
    }
  };
  const stamp = (p: string) => {
    const text = readFileSync(p);
    h.update(`${p}\0${text.length}\0`).update(text);
  };
  for (const d of o.sources) walk(d);
  for (const f of o.inputs) if (existsSync(f)) stamp(f);
  return h.digest('hex');
}

export function startTypecheck(o: TypecheckOptions): Promise<Typecheck> {
  mkdirSync(dirname(o.buildInfo), { recursive: true });
  // Nothing has changed since the last check that passed: it still holds.
  const stampFile = `${o.buildInfo}.passed`;
  const stamp = sourcesStamp(o);
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return Promise.resolve({ ok: true, errors: [] });
  return new Promise((resolve) => {
    const tsc = spawn(o.tsc, ['-p', o.project, '--noEmit', '--incremental', '--tsBuildInfoFile', o.buildInfo, '--pretty', 'false'], { cwd: o.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    tsc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    tsc.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    tsc.on('error', (err) => resolve({ ok: false, errors: [`could not run the TypeScript compiler: ${err.message}`] }));
    tsc.on('close', (code) => {
      if (code === 0) writeFileSync(stampFile, stamp);
      const errors = out.split('\n').filter((l) => / error TS\d+:/.test(l) || /^error TS\d+:/.test(l));
      resolve({ ok: code === 0, errors: code === 0 ? [] : errors.length > 0 ? errors : [out.trim() || `the TypeScript compiler exited ${code}`] });
    });
  });
}
