/**
 * pnpm synth: renders every cluster's manifests from the topology into clusters/<role>/manifests.
 * With --check, renders in memory and fails when the committed manifests differ.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findDrift, loadTopology, render, swapJournal, writeManifests, type Rendered } from '@kubevirt-ci/synth';
import { TopologyError, repoRoot } from '@kubevirt-ci/topology';
import { argv, chalk, echo } from 'zx';
import { progress } from './lib/progress.ts';
import { sourcesProject, startTypecheck } from './lib/typecheck.ts';

const usage = `usage: synth [--role <role>]... [--check] [--no-typecheck]

Renders every cluster of the topology (apps/ and clusters/) into clusters/<role>/manifests/.
Everything is validated, and every role's, app's and package's source type-checked, before
anything is written; a failure leaves the old manifests intact.

  --role <role>  write or check only this role's manifests (repeatable); all roles are
                 still validated
  --check        write nothing; exit 1 and list the files when the committed manifests
                 are not what synth renders (no type check: pnpm test's build does it)
  --no-typecheck write without type-checking first (the render itself still validates)
  --help         this text`;

function roles(): string[] | undefined {
  const r = argv['role'] as string | string[] | undefined;
  if (r === undefined) return undefined;
  return Array.isArray(r) ? r : [r];
}

async function main(): Promise<number> {
  if (argv['help'] || argv['h']) {
    echo(usage);
    return 0;
  }
  const only = roles();
  // The compiler runs beside the render; nothing is written until both have passed.
  const typecheck = argv['check'] || argv['typecheck'] === false ? undefined : startTypecheck(sourcesProject(repoRoot));
  let rendered: Rendered;
  try {
    progress('synth: loading the topology (apps/ and clusters/) and rendering every cluster ...');
    rendered = render(await loadTopology());
  } catch (err) {
    if (err instanceof TopologyError) {
      echo(chalk.red(err.message));
      return 1;
    }
    throw err;
  }
  const known = rendered.topology.roles.map((r) => r.role);
  const unknown = (only ?? []).filter((r) => !known.includes(r));
  if (unknown.length > 0) {
    echo(chalk.red(`synth: unknown role ${unknown.join(', ')}; roles are: ${known.join(', ')}`));
    return 2;
  }

  if (argv['check']) {
    if (existsSync(join(repoRoot, swapJournal))) {
      echo(chalk.red(`synth --check: a killed \`pnpm synth\` left its swaps unfinished (${swapJournal}); run \`pnpm synth\`, which finishes them first.`));
      return 1;
    }
    const drift = findDrift(repoRoot, rendered, only);
    if (drift.length === 0) {
      echo(`synth --check: the manifests of ${(only ?? known).join(', ')} are up to date`);
      return 0;
    }
    echo(chalk.red('synth --check: the committed manifests are stale; run `pnpm synth` and commit the result.'));
    for (const d of drift) {
      for (const f of d.added) echo(`  missing   ${f}`);
      for (const f of d.removed) echo(`  unwanted  ${f}`);
      for (const f of d.changed) echo(`  differs   ${f}`);
    }
    return 1;
  }

  const checked = await typecheck;
  if (checked && !checked.ok) {
    echo(chalk.red('synth: the TypeScript does not type-check, so nothing was written:'));
    for (const e of checked.errors) echo(`  ${e}`);
    return 1;
  }
  for (const r of writeManifests(repoRoot, rendered, only)) {
    const clusters = rendered.clusters.filter((c) => c.cluster.role === r.role).map((c) => c.cluster.name);
    echo(`clusters/${r.role}/manifests: ${clusters.join(', ') || 'no clusters'}; ${r.files} files, ${r.changed ? 'written' : 'unchanged'}`);
  }
  return 0;
}

process.exitCode = await main();
