import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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

/**
 * Replaces each role's manifests directory with the rendered files: written in full to a
 * staging directory first, then swapped in by rename, so a failure part-way leaves the
 * previous manifests as they were. A role whose files are unchanged is not touched.
 */
export function writeManifests(root: string, rendered: Rendered, roles?: readonly string[]): WriteResult[] {
  const drift = new Map(findDrift(root, rendered, roles).map((d) => [d.role, d]));
  const results: WriteResult[] = [];
  for (const [role, files] of filesByRole(rendered)) {
    if (roles && !roles.includes(role)) continue;
    if (!drift.has(role)) {
      results.push({ role, files: files.size, changed: false });
      continue;
    }
    const target = join(root, roleDir(role));
    const staging = join(root, `clusters/${role}/.manifests-staging-${process.pid}`);
    const old = join(root, `clusters/${role}/.manifests-old-${process.pid}`);
    removeLeftovers(join(root, `clusters/${role}`));
    try {
      mkdirSync(staging, { recursive: true });
      for (const [path, content] of files) {
        const abs = join(staging, relative(roleDir(role), path));
        mkdirSync(dirname(abs), { recursive: true });
        writeFileSync(abs, content);
      }
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw err;
    }
    if (existsSync(target)) renameSync(target, old);
    renameSync(staging, target);
    rmSync(old, { recursive: true, force: true });
    if (files.size === 0) rmSync(target, { recursive: true, force: true });
    results.push({ role, files: files.size, changed: true });
  }
  return results;
}
