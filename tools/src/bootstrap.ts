/**
 * pnpm bootstrap: takes the clusters from nothing to Argo CD syncing them from git. Safe to
 * run again at any time; a second run changes nothing.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { loadTopology, render } from '@kubevirt-ci/synth';
import { argv, chalk, echo } from 'zx';
import { argocdInstallUrl } from './bootstrap/argocd.ts';
import { bootstrap, fieldManager } from './bootstrap/run.ts';
import { loadKubeConfig } from './lib/kubeconfig.ts';

const usage = `usage: bootstrap [--context <cluster>=<context>]... [--server <cluster>=<url>]... [--dry-run]

Installs the pinned Argo CD release on the hub (server-side apply), registers every workloads
cluster in Argo CD with its own ServiceAccount (the cluster Secret is built in memory and
sent only to the hub), applies the AppProjects and root Applications, and writes Prow's
kubeconfig once Argo CD has created each build cluster's token. Field manager: ${fieldManager}.

  --context <cluster>=<ctx>  the kube context of a cluster (default: the cluster's name)
  --kubeconfig <file>        the kubeconfig to read (default: $KUBECONFIG or ~/.kube/config)
  --server <cluster>=<url>   the API server address the hub reaches a workloads cluster at,
                             when it is not the one in your context (a private address)
  --argocd-manifest <src>    the release's install.yaml, a URL or a file
                             (default: the release of versions.argocd on GitHub)
  --wait <s>                 how long to wait for CRDs, tokens and Argo CD's first sync of
                             build-cluster (default 900)
  --dry-run                  print what would be created or changed; the servers check
                             every object and nothing is stored`;

/** Parses repeated "<cluster>=<value>" flags. */
function pairs(flag: string): Map<string, string> {
  const raw = argv[flag] as string | string[] | undefined;
  const out = new Map<string, string>();
  for (const item of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
    const [cluster, value] = String(item).split(/=(.*)/s);
    if (!cluster || !value) throw new Error(`--${flag} ${item}: write it as <cluster>=<value>`);
    out.set(cluster, value);
  }
  return out;
}

async function main(): Promise<number> {
  if (argv['help'] || argv['h']) {
    echo(usage);
    return 0;
  }
  const rendered = render(await loadTopology());
  const names = rendered.clusters.map((rc) => rc.cluster.name);
  const contexts = pairs('context');
  const servers = pairs('server');
  for (const c of [...contexts.keys(), ...servers.keys()]) {
    if (!names.includes(c)) throw new Error(`no cluster "${c}" in the topology (there are: ${names.join(', ')})`);
  }
  const file = argv['kubeconfig'] ? String(argv['kubeconfig']) : undefined;
  const kubeConfigs = new Map<string, KubeConfig>(names.map((n) => [n, loadKubeConfig(contexts.get(n) ?? n, file)]));
  const dryRun = Boolean(argv['dry-run']);
  const tally = await bootstrap({
    rendered,
    kubeConfigs,
    servers,
    argocdManifest: String(argv['argocd-manifest'] ?? argocdInstallUrl(rendered.topology.versions.argocd)),
    dryRun,
    waitSeconds: Number(argv['wait'] ?? 900),
    log: (line) => echo(line),
  });
  echo(chalk.bold(`${dryRun ? 'dry run: would create' : 'created'} ${tally.created}, ${dryRun ? 'would change' : 'changed'} ${tally.configured}, unchanged ${tally.unchanged}`));
  if (!dryRun) echo('Argo CD now syncs every cluster from git; follow it with `pnpm status --watch`.');
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  echo(chalk.red(`bootstrap: ${(err as Error).message}`));
  process.exitCode = 2;
}
