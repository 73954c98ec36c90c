import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { Rendered } from './render.ts';

/** Every role's manifests directory, relative to the repository root. */
export function roleDir(role: string): string {
  return `clusters/${role}/manifests`;
}

/** Expected files grouped by role directory. Roles with no clusters expect an empty directory. */
export function filesByRole(rendered: Rendered): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const role of rendered.topology.roles) out.set(role.role, new Map());
  for (const rc of rendered.clusters) {
    const files = out.get(rc.cluster.role)!;
    rc.files.forEach((content, path) => files.set(path, content));
  }
  return out;
}

function listFiles(root: string, dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return (readdirSync(abs, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => relative(root, join(d.parentPath, d.name)))
    .sort();
}

/** Every committed-or-not manifest file under clusters/<role>/manifests, by repo-relative path. */
export function readManifests(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const clusters = join(root, 'clusters');
  if (!existsSync(clusters)) return files;
  for (const role of readdirSync(clusters).sort()) {
    for (const path of listFiles(root, roleDir(role))) files.set(path, readFileSync(join(root, path), 'utf8'));
  }
  return files;
}

export interface Drift {
  readonly role: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** What differs between the committed manifests and a fresh render, file by file. */
export function findDrift(root: string, rendered: Rendered, roles?: readonly string[]): Drift[] {
  const drift: Drift[] = [];
  for (const [role, files] of filesByRole(rendered)) {
    if (roles && !roles.includes(role)) continue;
    const onDisk = new Set(listFiles(root, roleDir(role)));
    const added = [...files.keys()].filter((p) => !onDisk.has(p)).sort();
    const removed = [...onDisk].filter((p) => !files.has(p)).sort();
    const changed = [...files.entries()]
      .filter(([p, content]) => onDisk.has(p) && readFileSync(join(root, p), 'utf8') !== content)
      .map(([p]) => p)
      .sort();
    if (added.length + removed.length + changed.length > 0) drift.push({ role, added, removed, changed });
  }
  return drift;
}

/** Staging and swap directories a killed run left behind; they never hold the truth. */
function removeLeftovers(roleRoot: string): void {
  if (!existsSync(roleRoot)) return;
  for (const name of readdirSync(roleRoot)) {
    if (name.startsWith('.manifests-staging-') || name.startsWith('.manifests-old-')) rmSync(join(roleRoot, name), { recursive: true, force: true });
  }
}

export interface WriteResult {
  readonly role: string;
  readonly files: number;
  readonly changed: boolean;
}

/** One role's swap: its staging directory becomes its manifests directory. */
interface Swap {
  readonly role: string;
  readonly staging: string;
  readonly empty: boolean;
}

/**
 * The swaps of one run, written once every role's staging directory is complete: a run
 * killed part-way through the swaps is finished by the next (rolled forward), so the roles
 * never stay half old and half new.
 */
export const swapJournal = 'clusters/.synth-swaps.json';

/** The points of a write, for the kill test; each may be the last thing a killed run did. */
export type WriteStep = `staged ${string}` | 'journal written' | `swapped ${string}` | 'done';

function swapIn(root: string, s: Swap): void {
  const target = join(root, roleDir(s.role));
  const staging = join(root, s.staging);
  // Already swapped by the run that wrote the journal.
  if (!existsSync(staging)) return;
  const old = `${staging.replace('.manifests-staging-', '.manifests-old-')}`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(staging, target);
  rmSync(old, { recursive: true, force: true });
  if (s.empty) rmSync(target, { recursive: true, force: true });
}

/** Finishes the swaps a killed run left in its journal; returns the roles it finished. */
export function finishPendingSwaps(root: string): string[] {
  const journal = join(root, swapJournal);
  // A journal still being written (killed before its rename) started no swap: drop it.
  const dir = dirname(journal);
  if (existsSync(dir)) for (const name of readdirSync(dir)) if (name.startsWith(`${basename(swapJournal)}.`)) rmSync(join(dir, name), { force: true });
  if (!existsSync(journal)) return [];
  const swaps = JSON.parse(readFileSync(journal, 'utf8')) as Swap[];
  for (const s of swaps) swapIn(root, s);
  rmSync(journal, { force: true });
  return swaps.map((s) => s.role);
}

/**
 * Replaces each changed role's manifests directory with the rendered files. Every role is
 * written in full to a staging directory first; then a journal names the swaps, and each is
 * done by rename. A failure while staging leaves every role as it was; a kill during the
 * swaps is finished by the next run (see swapJournal). A role whose files are unchanged is
 * not touched, and leftovers of killed runs are removed from every role.
 */
export function writeManifests(root: string, rendered: Rendered, roles?: readonly string[], onStep: (step: WriteStep) => void = () => undefined): WriteResult[] {
  finishPendingSwaps(root);
  const drift = new Map(findDrift(root, rendered, roles).map((d) => [d.role, d]));
  const results: WriteResult[] = [];
  const swaps: Swap[] = [];
  const byRole = [...filesByRole(rendered)].filter(([role]) => !roles || roles.includes(role));
  for (const [role] of byRole) removeLeftovers(join(root, `clusters/${role}`));
  try {
    for (const [role, files] of byRole) {
      results.push({ role, files: files.size, changed: drift.has(role) });
      if (!drift.has(role)) continue;
      const staging = `clusters/${role}/.manifests-staging-${process.pid}`;
      swaps.push({ role, staging, empty: files.size === 0 });
      mkdirSync(join(root, staging), { recursive: true });
      for (const [path, content] of files) {
        const abs = join(root, staging, relative(roleDir(role), path));
        mkdirSync(dirname(abs), { recursive: true });
        writeFileSync(abs, content);
      }
      onStep(`staged ${role}`);
    }
  } catch (err) {
    for (const s of swaps) rmSync(join(root, s.staging), { recursive: true, force: true });
    throw err;
  }
  if (swaps.length === 0) return results;
  const journal = join(root, swapJournal);
  writeFileSync(`${journal}.${process.pid}`, JSON.stringify(swaps));
  renameSync(`${journal}.${process.pid}`, journal);
  onStep('journal written');
  for (const s of swaps) {
    swapIn(root, s);
    onStep(`swapped ${s.role}`);
  }
  rmSync(journal, { force: true });
  onStep('done');
  return results;
}
