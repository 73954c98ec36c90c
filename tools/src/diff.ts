/**
 * pnpm diff: which objects a change adds, removes and changes in the rendered manifests, per
 * cluster and app, with the changed fields. Markdown output is what CI posts on a pull request.
 */
import { formatMarkdown, formatText, manifestChanges } from '@kubevirt-ci/docs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findDrift, loadTopology, readManifests, render } from '@kubevirt-ci/synth';
import { TopologyError, repoRoot } from '@kubevirt-ci/topology';
import { argv, chalk, echo } from 'zx';
import { manifestsAt } from './git.ts';

const usage = `usage: diff [--base <git ref>] [--format text|markdown] [--repo <dir>]

Compares the rendered manifests at --base (default HEAD) with the working tree's, object by
object: added, removed, and changed with the fields that differ. Lists are compared by name
where their items have one; text inside ConfigMaps is shown as a unified diff. It refuses
to run when the TypeScript has changed since the manifests were rendered (run pnpm synth).

  --base <ref>       the revision to compare against (a branch, tag or commit)
  --format <format>  text (default) or markdown, for posting on a pull request
  --repo <dir>       the repository (default: this one)
  --help             this text`;

/**
 * Files of the working tree's manifests that differ from what the TypeScript renders now;
 * none where the repository has no topology to render (another repository's manifests).
 */
async function stale(root: string): Promise<string[]> {
  if (!existsSync(join(root, 'apps')) || !existsSync(join(root, 'clusters'))) return [];
  return findDrift(root, render(await loadTopology(root))).flatMap((d) => [...d.added, ...d.removed, ...d.changed]);
}

async function main(): Promise<number> {
  if (argv['help'] || argv['h']) {
    echo(usage);
    return 0;
  }
  const base = String(argv['base'] ?? 'HEAD');
  const format = String(argv['format'] ?? 'text');
  const root = String(argv['repo'] ?? repoRoot);
  if (format !== 'text' && format !== 'markdown') {
    echo(chalk.red(`diff: --format must be text or markdown, not "${format}"`));
    return 2;
  }
  let before: Map<string, string>;
  try {
    before = manifestsAt(root, base);
  } catch (err) {
    echo(chalk.red(`diff: cannot read the manifests at "${base}": ${(err as Error).message}`));
    return 2;
  }
  let drift: string[];
  try {
    drift = await stale(root);
  } catch (err) {
    if (!(err instanceof TopologyError)) throw err;
    echo(chalk.red(`diff: the TypeScript does not render, so the manifests cannot be up to date:\n${err.message}`));
    return 2;
  }
  if (drift.length > 0) {
    const shown = drift.slice(0, 5).map((f) => `  ${f}`);
    if (drift.length > 5) shown.push(`  ... and ${drift.length - 5} more`);
    echo(chalk.red(`diff: the TypeScript has changed since the manifests were rendered; ${drift.length} files differ from what it renders now:\n${shown.join('\n')}\nrun \`pnpm synth\`, then pnpm diff again.`));
    return 2;
  }
  const changes = manifestChanges(before, readManifests(root));
  const title = `Rendered manifests, ${base} -> working tree`;
  process.stdout.write(format === 'markdown' ? formatMarkdown(changes, title) : formatText(changes, title));
  return 0;
}

process.exitCode = await main();
