/**
 * Upstream Go programs and sources at our pins, from the Go module proxy: a module's files
 * (the Go module cache, keyed by module and version) and a program built from it into our own
 * cache outside the repository (~/.cache/kubevirt-ci/go/<module>@<version>), built once.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
 * It is built in a staging directory and renamed into place, so a killed build never leaves
 * a half-written binary that a later run would trust. Programs of one module (kube-apiserver,
 * kube-controller-manager) share the module's directory, each its own file.
 */
export function goProgram(program: GoProgram, progress: Progress = stderrProgress, env: NodeJS.ProcessEnv = process.env): string {
  const { module, pkg, version, harness, tags = [] } = program;
  // A harness of ours is kept by its source and what it requires too, so a change builds anew;
  // a build with tags apart from one without.
  const key = JSON.stringify([harness, program.requires ?? []]);
  const dir = join(
    cacheRoot(env),
    'go',
    `${module}@${version}${tags.length ? `+tags-${tags.join(',')}` : ''}`,
    ...(harness !== undefined ? [`harness-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`] : []),
  );
  const bin = join(dir, programName(pkg));
  if (existsSync(bin)) return bin;
  progress(`upstream: building ${pkg}@${version} (once; kept in ${dir})`);
  const staging = join(dir, `.building-${programName(pkg)}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const r = buildInto(staging, program, env);
    if (r.status !== 0 || !existsSync(join(staging, programName(pkg)))) {
      throw new UpstreamUnavailable(`building ${pkg}@${version} failed: ${r.stderr.trim().split('\n').slice(-5).join(' / ')}`);
    }
    renameSync(join(staging, programName(pkg)), bin);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return bin;
}

/**
 * How a module that replaces some of its requirements with directories of its own repository
 * (Kubernetes' staging modules, etcd's) is built outside that repository: each such module is
 * taken from the proxy instead, at `version` when given (Kubernetes requires them as v0.0.0
 * and publishes them as v0.<minor>.<patch>), else at the version the module requires.
 */
export interface LocalModules {
  readonly version?: string;
}

/** A main package of a Go module at a version, and how its own build builds it. */
export interface GoProgram {
  readonly module: string;
  readonly pkg: string;
  readonly version: string;
  readonly local?: LocalModules;
  /** The linker's -X settings its release build makes (a version it reports, for one). */
  readonly ldflags?: readonly string[];
  /**
   * The build tags its release build sets (.promu.yml's build.tags.all). Some change what the
   * program does, not only how it is linked: Thanos reads Prometheus' labels through unsafe
   * casts that hold only with slicelabels.
   */
  readonly tags?: readonly string[];
  /**
   * Directories its release build generates before compiling (a web UI built by npm) and
   * embeds, which the module from the proxy does not carry: the build takes a copy of the
   * module with each made as a one-page placeholder, so what we run of it (its flag parser,
   * its config check) is the release's and only the UI is missing.
   */
  readonly generatedAssets?: readonly string[];
  /**
   * A main package of ours, built against the module instead of one of the module's own: a
   * harness that calls the module's parser on what a test gives it. `pkg` names the program.
   */
  readonly harness?: string;
  /** Other modules the harness calls, at their versions. */
  readonly requires?: readonly { readonly module: string; readonly version: string }[];
}

interface GoModEdits {
  readonly Go?: string;
  readonly Require?: readonly { readonly Path: string; readonly Version: string }[];
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
function buildInto(dir: string, { module, pkg, version, local = {}, ldflags = [], tags = [], generatedAssets = [], harness, requires = [] }: GoProgram, env: NodeJS.ProcessEnv) {
  const source = moduleDir(module, version, env);
  // A module from before go.mod (cron.v2's) has none: nothing to repeat.
  const edits = (existsSync(join(source, 'go.mod')) ? JSON.parse(go(['mod', 'edit', '-json', join(source, 'go.mod')], env).stdout) : {}) as GoModEdits;
  const isLocal = (r: NonNullable<GoModEdits['Replace']>[number]) => r.New.Path.startsWith('.') || r.New.Path.startsWith('/');
  const replaces: string[] = [];
  for (const r of edits.Replace ?? []) {
    if (!isLocal(r)) {
      replaces.push(`-replace=${at(r.Old)}=${at(r.New)}`);
      continue;
    }
    const required = edits.Require?.find((q) => q.Path === r.Old.Path)?.Version;
    // A module it does not require (etcd's guard against go.etcd.io/etcd) needs nothing.
    if (!required) continue;
    if (local.version) replaces.push(`-replace=${r.Old.Path}=${r.Old.Path}@${local.version}`);
    else if (required === 'v0.0.0') {
      throw new UpstreamUnavailable(`${module}@${version} replaces ${r.Old.Path} with a directory of its own repository (${r.New.Path}) and requires no published version of it; say which version to take`);
    }
  }
  const wrapper = join(dir, 'wrapper');
  mkdirSync(wrapper, { recursive: true });
  writeFileSync(join(wrapper, 'go.mod'), `module kubevirt-ci.invalid/upstream-wrapper\n\ngo ${edits.Go ?? '1.26'}\n`);
  if (generatedAssets.length) {
    const copy = join(dir, 'module');
    cpSync(source, copy, { recursive: true });
    // The module cache is read-only, and so is what cpSync copies of it.
    chmodTree(copy);
    for (const a of generatedAssets) {
      mkdirSync(join(copy, a), { recursive: true });
      writeFileSync(join(copy, a, 'index.html'), '<!doctype html><title>not built</title>\n');
    }
    replaces.push(`-replace=${module}=${copy}`);
  }
  const directives = [`-require=${module}@${version}`, ...requires.map((r) => `-require=${r.module}@${r.version}`), ...replaces, ...(edits.Exclude ?? []).map((e) => `-exclude=${e.Path}@${e.Version}`)];
  const edited = go(['mod', 'edit', ...directives], env, {}, wrapper);
  if (edited.status !== 0) return edited;
  if (harness !== undefined) writeFileSync(join(wrapper, 'main.go'), harness);
  return go(['build', ...(tags.length ? ['-tags', tags.join(',')] : []), ...(ldflags.length ? ['-ldflags', ldflags.map((x) => `-X ${x}`).join(' ')] : []), '-o', join(dir, programName(pkg)), harness !== undefined ? '.' : pkg], env, {}, wrapper);
}

function chmodTree(path: string): void {
  const st = statSync(path);
  chmodSync(path, st.mode | 0o200);
  if (st.isDirectory()) for (const e of readdirSync(path)) chmodTree(join(path, e));
}
