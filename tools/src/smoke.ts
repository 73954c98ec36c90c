/**
 * pnpm smoke: deploys the whole repository on two kind clusters through Argo CD, the way
 * production is bootstrapped, and checks that the system works. Needs docker, kind and kubectl;
 * without them it says so in one line and exits 0.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { loadTopology, render, type Rendered } from '@kubevirt-ci/synth';
import { repoRoot } from '@kubevirt-ci/topology';
import { counts, formatText, validateFiles } from '@kubevirt-ci/validate';
import { $, argv, chalk, echo, sleep } from 'zx';
import { argocdInstallUrl } from './bootstrap/argocd.ts';
import { bootstrap } from './bootstrap/run.ts';
import { Applier } from './lib/apply.ts';
import { loadKubeConfig } from './lib/kubeconfig.ts';
import { renderedContext } from './lib/validation.ts';
import { systemChecks, type SystemCheck } from './smoke/checks.ts';
import { ingressNginxUrl, kindConfig, kindContext, portForward, preflight } from './smoke/kind.ts';
import { makeSecrets, placeholderObjects } from './smoke/placeholders.ts';
import { applicationLines, eventLines, failingPods, type AppWithResources, type EventObject, type PodObject } from './smoke/report.ts';
import { publishVariant, servedRepo, smokeBranch, uncommitted } from './smoke/repo.ts';
import { serveGit } from './smoke/git-server.ts';
import { fakeDockerfile, fakeGcs, fakeGitHub, fakeImage } from './smoke/fakes.ts';
import { kindNode, kindTopology } from './smoke/topology.ts';
import { expectedApplications, liveApplications } from './status/live.ts';
import { allReady, clusterStatuses, formatStatus } from './status/tree.ts';

const usage = `usage: smoke [--keep] [--timeout 2400] [--check-timeout 300]

Creates a kind cluster for each cluster of the topology (the node image is versions.smoke),
serves this checkout's current commit with the kind variant's manifests from a git server on
this machine, creates placeholder secrets, runs bootstrap, waits until every Application is
Synced and Healthy, then checks the system: deck, hook's webhook signatures, gcsweb, Grafana
and its datasource through Thanos, ci-search, the caches the jobs use, and each workloads
cluster's Prometheus through the hub's Thanos query. On failure it prints the Applications'
conditions, warning events and the logs of failing pods.

  --keep               leave the kind clusters running afterwards (default: delete them)
  --timeout <s>        how long Argo CD may take to bring everything up (default 2400)
  --check-timeout <s>  how long each system check may keep retrying (default 300)
  --kind-version       print the kind release CI installs, and exit`;

/** The field manager of the placeholders and namespaces the smoke test creates. */
const fieldManager = 'kubevirt-ci-smoke';

function step(text: string): void {
  echo(chalk.bold(`smoke: ${text}`));
}

async function kindGateway(): Promise<string> {
  const out = (await $`docker network inspect kind --format ${'{{range .IPAM.Config}}{{.Gateway}} {{end}}'}`.quiet()).stdout;
  const ipv4 = out.split(/\s+/).find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a));
  if (!ipv4) throw new Error(`the kind docker network has no IPv4 gateway (${out.trim()}); the clusters could not reach the git server`);
  return ipv4;
}

/** A kind node's IPv4 address on the kind docker network. */
async function kindNodeAddress(cluster: string): Promise<string> {
  const out = (await $`docker inspect ${kindNode(cluster)} --format ${'{{with index .NetworkSettings.Networks "kind"}}{{.IPAddress}}{{end}}'}`.quiet()).stdout.trim();
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(out)) throw new Error(`kind node ${kindNode(cluster)} has no IPv4 address on the kind network (${out || 'none'}); the other clusters could not reach its ingress`);
  return out;
}

async function validateVariant(rendered: Rendered): Promise<void> {
  const files = new Map(rendered.clusters.flatMap((rc) => [...rc.files.entries()]));
  const cwd = process.cwd();
  process.chdir(repoRoot);
  try {
    const report = await validateFiles(files, { kubernetesVersion: rendered.topology.versions.kubernetes, kubeconform: false, ...renderedContext(rendered) });
    if (counts(report).errors > 0) throw new Error(`the kind variant does not validate:\n${formatText(report)}`);
  } finally {
    process.chdir(cwd);
  }
}

async function waitForArgo(rendered: Rendered, hub: KubeConfig, timeoutSeconds: number): Promise<boolean> {
  const expected = expectedApplications(rendered);
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const statuses = clusterStatuses(expected, await liveApplications(hub, rendered.topology.gitops.argocdNamespace).catch(() => []));
    const text = formatStatus(statuses).join('\n');
    if (text !== last) {
      echo(chalk.dim(new Date().toISOString()));
      echo(text);
      last = text;
    }
    if (allReady(statuses)) return true;
    if (Date.now() > deadline) return false;
    await sleep(15_000);
  }
}

async function runCheck(check: SystemCheck, timeoutSeconds: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let problem = '';
  for (;;) {
    let forward;
    try {
      forward = await portForward(kindContext(check.target.cluster), check.target.namespace, check.target.name, check.target.port);
      await check.run(forward.base);
      return undefined;
    } catch (err) {
      problem = (err as Error).message;
    } finally {
      forward?.close();
    }
    if (Date.now() > deadline) return problem;
    await sleep(10_000);
  }
}

async function report(rendered: Rendered, kubeConfigs: Map<string, KubeConfig>): Promise<void> {
  const hub = rendered.clusters.find((rc) => rc.cluster.hub)!.cluster.name;
  step('report');
  const apps = (await liveApplications(kubeConfigs.get(hub)!, rendered.topology.gitops.argocdNamespace).catch(() => [])) as AppWithResources[];
  for (const line of applicationLines(apps)) echo(line);
  for (const [cluster, kc] of kubeConfigs) {
    const core = kc.makeApiClient(CoreV1Api);
    echo(chalk.bold(`${cluster}: warning events`));
    const events = await core.listEventForAllNamespaces().catch(() => ({ items: [] }));
    for (const line of eventLines(events.items as unknown as EventObject[])) echo(line);
    const pods = await core.listPodForAllNamespaces().catch(() => ({ items: [] }));
    for (const { pod, why } of failingPods(pods.items as unknown as PodObject[])) {
      echo(chalk.bold(`${cluster}: pod ${pod.metadata.namespace}/${pod.metadata.name}: ${why}`));
      await $`kubectl --context ${kindContext(cluster)} -n ${pod.metadata.namespace} logs ${pod.metadata.name} --all-containers --tail 40 --prefix`.nothrow();
    }
  }
}

async function main(): Promise<number> {
  if (argv['help'] || argv['h']) {
    echo(usage);
    return 0;
  }
  const base = await loadTopology();
  if (argv['kind-version']) {
    echo(base.versions.smoke.kind);
    return 0;
  }
  const missing = preflight();
  if (missing) {
    echo(`smoke: skipped: this machine has ${missing}; the GitHub workflow's smoke job runs it`);
    return 0;
  }
  const dirty = uncommitted(repoRoot);
  if (dirty.length > 0) echo(chalk.yellow(`smoke: ${dirty.length} uncommitted changes are not deployed; the smoke test serves the current commit`));

  const names = base.roles.flatMap((role) => role.clusters.map((c) => ({ name: c.name, hub: role.hub })));
  const work = mkdtempSync(join(tmpdir(), 'smoke-'));
  const kubeConfigs = new Map<string, KubeConfig>();
  let rendered: Rendered | undefined;
  let server: Awaited<ReturnType<typeof serveGit>> | undefined;
  try {
    for (const c of names) {
      step(`kind cluster ${c.name} (${base.versions.smoke.kindNode})`);
      writeFileSync(join(work, `${c.name}.yaml`), kindConfig(c.hub));
      await $`kind create cluster --name ${c.name} --image ${base.versions.smoke.kindNode} --config ${join(work, `${c.name}.yaml`)} --wait 180s`;
      kubeConfigs.set(c.name, loadKubeConfig(kindContext(c.name)));
    }
    const hub = names.find((c) => c.hub)!.name;

    const gateway = await kindGateway();
    const served = join(work, 'served');
    server = await serveGit(served, gateway);
    const hubAddress = await kindNodeAddress(hub);
    rendered = render(kindTopology(base, { repoURL: `http://${gateway}:${server.port}/${servedRepo}`, revision: smokeBranch, hubAddress }));
    await validateVariant(rendered);
    const { base: commit } = publishVariant(repoRoot, rendered, served);
    step(`serving ${commit.slice(0, 12)} plus the kind variant at http://${gateway}:${server.port}/${servedRepo} (branch ${smokeBranch})`);

    for (const fake of [fakeGitHub, fakeGcs]) {
      const image = fakeImage(fake, base.versions);
      step(`building Prow's ${fake.name} at ${base.versions.prow.commit.slice(0, 12)} into ${image}, loaded into ${hub}`);
      const context = join(work, fake.name);
      mkdirSync(context, { recursive: true });
      writeFileSync(join(context, 'Dockerfile'), fakeDockerfile(fake, base.versions));
      await $`docker build --quiet --tag ${image} ${context}`;
      await $`kind load docker-image ${image} --name ${hub}`;
    }

    step(`ingress-nginx ${base.versions.smoke.ingressNginx} on ${hub}`);
    await $`kubectl --context ${kindContext(hub)} apply -f ${ingressNginxUrl(base.versions)}`;
    await $`kubectl --context ${kindContext(hub)} -n ingress-nginx rollout status deployment/ingress-nginx-controller --timeout 300s`;

    step('namespaces and placeholder secrets');
    const secrets = makeSecrets(rendered);
    for (const rc of rendered.clusters) {
      const applier = new Applier(kubeConfigs.get(rc.cluster.name)!, fieldManager, false);
      const namespaces = rc.parts.flatMap((p) => p.objects).filter((o) => o.kind === 'Namespace');
      for (const o of [...namespaces, ...placeholderObjects(rc.provided, secrets, rc.cluster.name)]) await applier.apply(o as KubernetesObject);
    }

    step('bootstrap');
    await bootstrap({
      rendered,
      kubeConfigs,
      servers: new Map(names.filter((c) => !c.hub).map((c) => [c.name, `https://${kindNode(c.name)}:6443`])),
      argocdManifest: argocdInstallUrl(base.versions.argocd),
      dryRun: false,
      waitSeconds: 900,
      log: (line) => echo(line),
    });

    step('waiting for every Application to be Synced and Healthy');
    if (!(await waitForArgo(rendered, kubeConfigs.get(hub)!, Number(argv['timeout'] ?? 2400)))) {
      echo(chalk.red(`smoke: not everything was Synced and Healthy within ${argv['timeout'] ?? 2400}s`));
      await report(rendered, kubeConfigs);
      return 1;
    }

    step('checking the system');
    let failed = 0;
    for (const check of systemChecks(rendered, secrets)) {
      const problem = await runCheck(check, Number(argv['check-timeout'] ?? 300));
      echo(problem ? chalk.red(`  FAIL  ${check.name}: ${problem}`) : `  ok    ${check.name}`);
      if (problem) failed++;
    }
    if (failed > 0) {
      await report(rendered, kubeConfigs);
      return 1;
    }
    step('passed');
    return 0;
  } catch (err) {
    echo(chalk.red(`smoke: ${(err as Error).message}`));
    if (rendered && kubeConfigs.size > 0) await report(rendered, kubeConfigs).catch(() => undefined);
    return 1;
  } finally {
    await server?.close();
    if (argv['keep']) echo(`smoke: --keep: the clusters stay (kind delete cluster --name <name> removes them): ${names.map((c) => c.name).join(', ')}`);
    else for (const c of names) await $`kind delete cluster --name ${c.name}`.nothrow();
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  echo(chalk.red(`smoke: ${(err as Error).message}`));
  process.exitCode = 2;
}
