/**
 * pnpm secrets check|apply: the objects the rendered manifests need and git never holds
 * (Secrets above all), compared with a live cluster or created there from the decrypted bundle.
 * Values are never printed.
 */
import { argv, chalk, echo } from 'zx';
import { loadKubeConfig } from './lib/kubeconfig.ts';
import { applyBundle, liveReader, requiredOn } from './secrets/live.ts';
import { checkProvided, formatCheck, readBundle } from './secrets/provided.ts';

const usage = `usage: secrets check --cluster <name> [--from <dir>] [--context <ctx>] [--kubeconfig <file>]
       secrets apply --cluster <name> --from <dir> [--allow-empty] [--context <ctx>] [--kubeconfig <file>] [--dry-run]

The Secrets (and ConfigMaps) the rendered manifests of a cluster need and git never holds.

  check    lists each one as ok, missing, lacking keys, or (for Prow's kubeconfig) lacking
           contexts; with --from, also each value that is not byte for byte the bundle's;
           exit 1 when anything is not ok. Values are never printed.
  apply    creates or updates them server-side from the decrypted bundle in --from, laid out
           as <namespace>/<name>/<key>, one file per key, stored byte for byte. A bundle
           holding anything the cluster does not declare, lacking a declared key, with a
           symlink out of it, a directory for a key or an empty key file is refused whole.

  --cluster <name>     a cluster of the topology (its name is its Prow context)
  --context <ctx>      the kube context to use (default: the cluster's name)
  --kubeconfig <file>  the kubeconfig to read (default: $KUBECONFIG or ~/.kube/config)
  --allow-empty        apply: an empty key file is an empty value on purpose
  --dry-run            apply: say what would be applied, and apply nothing`;

async function main(): Promise<number> {
  const [command] = argv._;
  if (argv['help'] || argv['h'] || !command) {
    echo(usage);
    return command || argv['help'] || argv['h'] ? 0 : 2;
  }
  const cluster = argv['cluster'] ? String(argv['cluster']) : undefined;
  if (!cluster) {
    echo(chalk.red('secrets: --cluster is required (a cluster of the topology)'));
    return 2;
  }
  const required = await requiredOn(cluster);
  const kc = loadKubeConfig(String(argv['context'] ?? cluster), argv['kubeconfig'] ? String(argv['kubeconfig']) : undefined);
  if (command === 'check') {
    const rows = await checkProvided(required, liveReader(kc), argv['from'] ? readBundle(String(argv['from']), required, { allowEmpty: true }) : []);
    const bad = rows.filter((r) => r.status.state !== 'ok').length;
    echo(`secrets check: cluster ${cluster}: ${rows.length - bad} of ${rows.length} provided objects in place`);
    for (const line of formatCheck(rows)) echo(`  ${line}`);
    return bad === 0 ? 0 : 1;
  }
  if (command === 'apply') {
    if (!argv['from']) {
      echo(chalk.red('secrets apply: --from <dir> is required (the decrypted bundle, <namespace>/<name>/<key>)'));
      return 2;
    }
    const lines = await applyBundle(kc, String(argv['from']), required, Boolean(argv['dry-run']), { allowEmpty: Boolean(argv['allow-empty']) });
    echo(`secrets apply: cluster ${cluster}${argv['dry-run'] ? ' (dry run)' : ''}`);
    for (const line of lines) echo(`  ${line}`);
    return 0;
  }
  echo(chalk.red(`secrets: unknown command "${command}"; use check or apply`));
  return 2;
}

try {
  process.exitCode = await main();
} catch (err) {
  echo(chalk.red(`secrets: ${(err as Error).message}`));
  process.exitCode = 2;
}
