/**
 * pnpm run docs: writes docs/infrastructure.md and docs/infra-layout.svg from the topology and
 * the rendered manifests. With --check, writes nothing and fails when they are stale.
 * (`pnpm docs` without `run` is npm's own docs command, which pnpm passes through.)
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { infrastructureDoc, layoutSvg } from '@kubevirt-ci/docs';
import { loadTopology, render } from '@kubevirt-ci/synth';
import { TopologyError, repoRoot } from '@kubevirt-ci/topology';
import { argv, chalk, echo } from 'zx';

const usage = `usage: docs [--check]

Generates docs/infrastructure.md and docs/infra-layout.svg from the topology and the rendered
manifests. --check writes nothing and exits 1, naming the files, when they are stale.`;

async function main(): Promise<number> {
  if (argv['help'] || argv['h']) {
    echo(usage);
    return 0;
  }
  let files: Map<string, string>;
  try {
    const rendered = render(await loadTopology());
    files = new Map([
      ['docs/infrastructure.md', infrastructureDoc(rendered)],
      ['docs/infra-layout.svg', await layoutSvg(rendered)],
    ]);
  } catch (err) {
    if (err instanceof TopologyError) {
      echo(chalk.red(err.message));
      return 1;
    }
    throw err;
  }
  const stale = [...files].filter(([path, content]) => !existsSync(join(repoRoot, path)) || readFileSync(join(repoRoot, path), 'utf8') !== content);
  if (argv['check']) {
    if (stale.length === 0) {
      echo('docs --check: docs/ is up to date');
      return 0;
    }
    echo(chalk.red('docs --check: the generated docs are stale; run `pnpm run docs` and commit the result.'));
    for (const [path] of stale) echo(`  differs   ${path}`);
    return 1;
  }
  mkdirSync(join(repoRoot, 'docs'), { recursive: true });
  for (const [path, content] of stale) {
    const tmp = join(repoRoot, `${path}.tmp-${process.pid}`);
    writeFileSync(tmp, content);
    renameSync(tmp, join(repoRoot, path));
  }
  echo(`docs: ${[...files.keys()].join(', ')}: ${stale.length === 0 ? 'unchanged' : `${stale.length} written`}`);
  return 0;
}

process.exitCode = await main();
