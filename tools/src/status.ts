/**
 * pnpm status: what Argo CD on the hub says of every Application the repository renders, as a
 * tree per cluster with sync and health. Exit 0 only when all are Synced and Healthy.
 */
import { loadTopology, render } from '@kubevirt-ci/synth';
import { argv, chalk, echo, sleep } from 'zx';
import { loadKubeConfig } from './lib/kubeconfig.ts';
import { expectedApplications, liveApplications } from './status/live.ts';
import { allReady, clusterStatuses, formatStatus, unexpected } from './status/tree.ts';

const usage = `usage: status [--context <hub context>] [--kubeconfig <file>] [--watch [--interval 10] [--timeout 1800]]

Reads the Applications from Argo CD on the hub and prints each cluster's tree: every
Application this repository renders, its sync and health status, and why it is not ready.
Exit 0 when every Application is Synced and Healthy, 1 otherwise.

  --context <ctx>      the hub's kube context (default: the hub cluster's name)
  --kubeconfig <file>  the kubeconfig to read (default: $KUBECONFIG or ~/.kube/config)
  --watch              poll until everything is Synced and Healthy, printing each change
  --interval <s>       seconds between polls with --watch (default 10)
  --timeout <s>        give up after this long with --watch, exit 1 (default 1800)`;

async function main(): Promise<number> {
  if (argv['help'] || argv['h']) {
    echo(usage);
    return 0;
  }
  const topology = await loadTopology();
  const rendered = render(topology);
  const hub = rendered.clusters.find((rc) => rc.cluster.hub)!.cluster;
  const kc = loadKubeConfig(String(argv['context'] ?? hub.name), argv['kubeconfig'] ? String(argv['kubeconfig']) : undefined);
  const expected = expectedApplications(rendered);
  const interval = Number(argv['interval'] ?? 10) * 1000;
  const deadline = Date.now() + Number(argv['timeout'] ?? 1800) * 1000;
  let last = '';
  for (;;) {
    const live = await liveApplications(kc, topology.gitops.argocdNamespace);
    const statuses = clusterStatuses(expected, live);
    const extra = unexpected(expected, live);
    const text = [...formatStatus(statuses), ...(extra.length ? [`not rendered by this repository: ${extra.join(', ')}`] : [])].join('\n');
    const ready = allReady(statuses);
    if (text !== last) {
      if (argv['watch']) echo(chalk.dim(new Date().toISOString()));
      echo(text);
      last = text;
    }
    if (!argv['watch'] || ready) return ready ? 0 : 1;
    if (Date.now() > deadline) {
      echo(chalk.red(`status: not everything was Synced and Healthy within ${argv['timeout'] ?? 1800}s`));
      return 1;
    }
    await sleep(interval);
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  echo(chalk.red(`status: ${(err as Error).message}`));
  process.exitCode = 2;
}
