/**
 * pnpm diff: which objects a change adds, removes and changes in the rendered manifests, per
 * cluster and app, with the changed fields. Markdown output is what CI posts on a pull request.
 */
import { formatMarkdown, formatText, manifestChanges } from '@kubevirt-ci/docs';
import { readManifests } from '@kubevirt-ci/synth';
import { repoRoot } from '@kubevirt-ci/topology';
import { argv, chalk, echo } from 'zx';
import { manifestsAt } from './git.ts';

const usage = `usage: diff [--base <git ref>] [--format text|markdown] [--repo <dir>]

Compares the rendered manifests at --base (default HEAD) with the working tree's, object by
object: added, removed, and changed with the fields that differ.

  --base <ref>       the revision to compare against (a branch, tag or commit)
  --format <format>  text (default) or markdown, for posting on a pull request
  --repo <dir>       the repository (default: this one)
  --help             this text`;

function main(): number {
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
  const changes = manifestChanges(before, readManifests(root));
  const title = `Rendered manifests, ${base} -> working tree`;
  process.stdout.write(format === 'markdown' ? formatMarkdown(changes, title) : formatText(changes, title));
  return 0;
}

process.exitCode = main();
