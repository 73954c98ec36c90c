/**
 * Upstream Go programs and sources at our pins, from the Go module proxy: a module's files
 * (the Go module cache, keyed by module and version) and a program built from it into our own
 * cache outside the repository (~/.cache/kubevirt-ci/go/<module>@<version>), built once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where built programs and generated schemas are kept: $KUBEVIRT_CI_CACHE, else ~/.cache/kubevirt-ci. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['KUBEVIRT_CI_CACHE'] || join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'kubevirt-ci');
}

/** Thrown when something upstream cannot be had here; the message says what and what to do. */
export class UpstreamUnavailable extends Error {}

/** Says what a step that can take a while is doing (a build, a download). */
export type Progress = (line: string) => void;

export const stderrProgress: Progress = (line) => process.stderr.write(`${line}\n`);

function go(args: string[], env: NodeJS.ProcessEnv, extra: Record<string, string> = {}, cwd?: string) {
  const r = spawnSync('go', args, { encoding: 'utf8', cwd, env: { ...env, GOFLAGS: '-mod=mod', ...extra }, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) {
    throw new UpstreamUnavailable(`no Go toolchain on PATH (${r.error.message}); install Go 1.26 so the tests can build the upstream programs at our pins`);
  }
  return r;
}

/** The directory of a module's files at a version, downloaded once into the Go module cache. */
export function moduleDir(module: string, version: string, env: NodeJS.ProcessEnv = process.env): string {
  const listed = go(['mod', 'download', '-json', `${module}@${version}`], env);
  const info = JSON.parse(listed.stdout || '{}') as { Dir?: string; Error?: string };
  if (listed.status !== 0 || !info.Dir) {
    throw new UpstreamUnavailable(`the Go module proxy does not serve ${module}@${version}: ${info.Error ?? listed.stderr.trim()}`);
  }
  return info.Dir;
}

/** The name go install gives a program: its last path element, a major version suffix (/v2) skipped. */
export function programName(pkg: string): string {
  const parts = pkg.split('/');
  return /^v\d+$/.test(parts.at(-1)!) && parts.length > 1 ? parts.at(-2)! : parts.at(-1)!;
}

/** What `get` returns, or why it cannot be had here (an UpstreamUnavailable's message). */
export function available<T>(get: () => T): T | { readonly unavailable: string } {
  try {
    return get();
  } catch (err) {
    if (err instanceof UpstreamUnavailable) return { unavailable: err.message };
    throw err;
  }
}

/**
 * A program (`pkg`, a main package of `module`) built at `version`, or the copy built before.
 * It is built into a staging directory and renamed into place, so a killed build never
 * leaves a half-written binary that a later run would trust.
 */
export function goProgram(module: string, pkg: string, version: string, progress: Progress = stderrProgress, env: NodeJS.ProcessEnv = process.env): string {
  const dir = join(cacheRoot(env), 'go', `${module}@${version}`);
  const bin = join(dir, programName(pkg));
  if (existsSync(bin)) return bin;
  progress(`upstream: building ${pkg}@${version} (once; kept in ${dir})`);
  const staging = `${dir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const r = buildInto(staging, module, pkg, version, env);
    if (r.status !== 0 || !existsSync(join(staging, programName(pkg)))) {
      throw new UpstreamUnavailable(`building ${pkg}@${version} failed: ${r.stderr.trim().split('\n').slice(-5).join(' / ')}`);
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, '..'), { recursive: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return bin;
}

interface GoModEdits {
  readonly Go?: string;
  readonly Replace?: readonly { readonly Old: { readonly Path: string; readonly Version?: string }; readonly New: { readonly Path: string; readonly Version?: string } }[];
  readonly Exclude?: readonly { readonly Path: string; readonly Version: string }[];
}

const at = (m: { Path: string; Version?: string }) => (m.Version ? `${m.Path}@${m.Version}` : m.Path);

/**
 * Builds the program inside a wrapper module of ours that requires its module at the version
 * and repeats the module's replace and exclude directives (outside the main module the go
 * command ignores them), so it builds as its own build does. Not `go install pkg@version`:
 * that also asks the proxy for the module's version list, which it refuses for some
 * modules it serves at the exact version.
 */
function buildInto(dir: string, module: string, pkg: string, version: string, env: NodeJS.ProcessEnv) {
  const edits = JSON.parse(go(['mod', 'edit', '-json', join(moduleDir(module, version, env), 'go.mod')], env).stdout) as GoModEdits;
  const local = edits.Replace?.find((r) => r.New.Path.startsWith('.') || r.New.Path.startsWith('/'));
  if (local) throw new UpstreamUnavailable(`${module}@${version} replaces ${local.Old.Path} with a directory of its own repository (${local.New.Path}), which a module from the proxy does not carry`);
  const wrapper = join(dir, 'wrapper');
  mkdirSync(wrapper, { recursive: true });
  writeFileSync(join(wrapper, 'go.mod'), `module kubevirt-ci.invalid/upstream-wrapper\n\ngo ${edits.Go ?? '1.26'}\n`);
  const directives = [
    `-require=${module}@${version}`,
    ...(edits.Replace ?? []).map((r) => `-replace=${at(r.Old)}=${at(r.New)}`),
    ...(edits.Exclude ?? []).map((e) => `-exclude=${e.Path}@${e.Version}`),
  ];
  const edited = go(['mod', 'edit', ...directives], env, {}, wrapper);
  if (edited.status !== 0) return edited;
  return go(['build', '-o', join(dir, programName(pkg)), pkg], env, {}, wrapper);
}
