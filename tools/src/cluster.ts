/**
 * pnpm cluster up|down|status: test clusters for a person, one per rendered cluster (named as
 * it, so bootstrap's and status's --context names work), left running until `down`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@kubevirt-ci/topology';
import { cacheRoot } from '@kubevirt-ci/upstream';
import { binaries, startCluster, type ClusterState } from '@kubevirt-ci/testcluster';

const usage = `usage: cluster up [<name>...] | down | status

Starts a Kubernetes control plane per cluster without containers (etcd, kube-apiserver and
kube-controller-manager at the pinned release, built once from the Go module proxy), on
loopback ports with certificates made for the run, and leaves it running.

  up [<name>...]  start one per rendered cluster (clusters/*/manifests/<name>), or the names
                  given, and print the kubeconfig that has a context for each
  down            stop them and remove their data
  status          say which are running

No kubelet and no scheduler: objects are stored, admitted and authorized for real; pods never run.`;

const root = join(cacheRoot(), 'clusters');
const kubeconfig = join(root, 'kubeconfig');

function renderedClusters(): string[] {
  const out: string[] = [];
  for (const role of readdirSync(join(repoRoot, 'clusters'), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const dir = join(repoRoot, 'clusters', role.name, 'manifests');
    if (existsSync(dir)) out.push(...readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name));
  }
  return out.sort();
}

function running(): ClusterState[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'cluster.json')))
    .map((d) => JSON.parse(readFileSync(join(root, d.name, 'cluster.json'), 'utf8')) as ClusterState);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** One kubeconfig with every running cluster's context (each cluster's own file has one). */
function writeMergedKubeconfig(states: readonly ClusterState[]): void {
  const parts = states.map((s) => JSON.parse(readFileSync(s.kubeconfig, 'utf8')) as { clusters: unknown[]; users: unknown[]; contexts: unknown[] });
  writeFileSync(kubeconfig, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: parts.flatMap((p) => p.clusters), users: parts.flatMap((p) => p.users), contexts: parts.flatMap((p) => p.contexts), 'current-context': states[0]?.name ?? '' }, null, 2), { mode: 0o600 });
}

async function up(names: string[]): Promise<number> {
  const wanted = names.length ? names : renderedClusters();
  const already = running().filter((s) => s.pids.every(alive));
  const missing = wanted.filter((n) => !already.some((s) => s.name === n));
  for (const name of missing) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
      process.stderr.write(`cluster: "${name}" is not a cluster name (lower-case letters, digits and dashes)\n`);
      return 2;
    }
  }
  const bins = binaries();
  mkdirSync(root, { recursive: true });
  for (const name of missing) {
    const dir = join(root, name);
    rmSync(dir, { recursive: true, force: true });
    const c = await startCluster({ name, dir, detached: true, binaries: bins });
    process.stderr.write(`cluster: ${name} is up at ${c.server}\n`);
  }
  for (const s of already.filter((x) => wanted.includes(x.name))) process.stderr.write(`cluster: ${s.name} was already up at ${s.server}\n`);
  writeMergedKubeconfig(running().filter((s) => s.pids.every(alive)));
  process.stdout.write(`export KUBECONFIG=${kubeconfig}\n`);
  process.stderr.write(`cluster: contexts ${wanted.join(', ')}; for example: pnpm bootstrap --dry-run --kubeconfig ${kubeconfig} ...; pnpm cluster down stops them\n`);
  return 0;
}

function down(): number {
  const states = running();
  if (states.length === 0) {
    process.stderr.write('cluster: no test cluster is running\n');
    return 0;
  }
  for (const s of states) {
    for (const pid of [...s.pids].reverse()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(join(root, s.name), { recursive: true, force: true });
    process.stderr.write(`cluster: ${s.name} is down\n`);
  }
  rmSync(kubeconfig, { force: true });
  return 0;
}

function status(): number {
  const states = running();
  if (states.length === 0) process.stdout.write('no test cluster is running\n');
  for (const s of states) process.stdout.write(`${s.name}\t${s.pids.every(alive) ? 'up' : 'stopped (pnpm cluster down cleans it up)'}\t${s.server}\n`);
  if (states.length) process.stdout.write(`kubeconfig: ${kubeconfig}\n`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!command || command === '--help' || command === '-h' || rest.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return command ? 0 : 2;
  }
  try {
    if (command === 'up') return await up(rest);
    if (command === 'down') return down();
    if (command === 'status') return status();
  } catch (err) {
    process.stderr.write(`cluster: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`cluster: unknown command "${command}"; use up, down or status (pnpm cluster --help)\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
