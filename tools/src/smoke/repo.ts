import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeManifests, type Rendered } from '@kubevirt-ci/synth';

/** The branch of the served repository that carries the kind variant's manifests. */
export const smokeBranch = 'smoke';

/** The served repository's path under the git server's root. */
export const servedRepo = 'project-infra.git';

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/**
 * Puts what Argo CD syncs during the smoke test under servedRoot: this checkout's current
 * commit, plus one commit on branch `smoke` with the kind variant's manifests in place of the
 * production ones. The checkout itself is not touched. Returns the two commits.
 */
export function publishVariant(checkout: string, rendered: Rendered, servedRoot: string): { base: string; commit: string } {
  const work = mkdtempSync(join(tmpdir(), 'smoke-repo-'));
  try {
    git('clone', '--quiet', '--no-hardlinks', checkout, work);
    git('-C', work, 'checkout', '--quiet', '-b', smokeBranch);
    writeManifests(work, rendered);
    git('-C', work, 'add', '--all', 'clusters');
    git('-C', work, '-c', 'user.name=kubevirt-ci smoke', '-c', 'user.email=smoke@kubevirt-ci.test', 'commit', '--quiet', '--allow-empty', '-m', "smoke: the kind variant's manifests");
    git('clone', '--quiet', '--bare', work, join(servedRoot, servedRepo));
    return { base: git('-C', work, 'rev-parse', 'HEAD~1'), commit: git('-C', work, 'rev-parse', 'HEAD') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Uncommitted changes in the checkout, which the smoke test does not deploy. */
export function uncommitted(checkout: string): string[] {
  return git('-C', checkout, 'status', '--porcelain').split('\n').filter(Boolean);
}
