import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { prowIdentity } from '@kubevirt-ci/app-build-cluster';
import { describe, rootsProject, type Manifest, type Rendered, type RenderedCluster } from '@kubevirt-ci/synth';
import { jobsNamespace } from '@kubevirt-ci/topology';
import { Applier, outcomeLine, type Outcome } from '../lib/apply.ts';
import { argocdObjects, readInstallManifest } from './argocd.ts';
import { applicationsOf, clusterSecret, credentialsOf, managedNamespaces, manager, managerObjects, projectOf, serverOf, trackedBy, trackingAnnotation, type ClusterCredentials, type ClusterObject } from './clusters.ts';
import { inClusterServer, prowKubeconfig, prowKubeconfigObject, type BuildClusterAccess } from './prow.ts';

/** The field manager the clusters record for what bootstrap applies. */
export const fieldManager = 'kubevirt-ci-bootstrap';

export interface BootstrapOptions {
  readonly rendered: Rendered;
  /** Each cluster's kubeconfig, switched to its context, by cluster name. */
  readonly kubeConfigs: ReadonlyMap<string, KubeConfig>;
  /** How the hub reaches a workloads cluster's API server, when not at its context's address. */
  readonly servers: ReadonlyMap<string, string>;
  /** Argo CD's install manifest: a URL or a file. */
  readonly argocdManifest: string;
  readonly dryRun: boolean;
  /** How long to wait for CRDs, tokens and Argo CD's first sync of build-cluster. */
  readonly waitSeconds: number;
  readonly pollMs?: number;
  readonly log: (line: string) => void;
}

export type Tally = Record<Outcome, number>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function kubeConfigOf(o: BootstrapOptions, cluster: string): KubeConfig {
  const kc = o.kubeConfigs.get(cluster);
  if (!kc) throw new Error(`no kube context for cluster ${cluster}; pass --context ${cluster}=<context>`);
  return kc;
}

/** Polls until check returns a value or the deadline passes. */
async function waitFor<T>(o: BootstrapOptions, deadline: number, check: () => Promise<T | undefined>): Promise<T | undefined> {
  for (;;) {
    const value = await check();
    if (value !== undefined || Date.now() >= deadline) return value;
    await sleep(o.pollMs ?? 5000);
  }
}

/**
 * Takes the clusters from nothing (or from any earlier state) to Argo CD syncing them from git:
 * installs Argo CD on the hub, registers every workloads cluster, applies the AppProjects and
 * root Applications, and writes Prow's kubeconfig once Argo CD has created the build clusters'
 * tokens. Every step is a server-side apply, so a second run changes nothing.
 */
export async function bootstrap(o: BootstrapOptions): Promise<Tally> {
  const tally: Tally = { created: 0, configured: 0, unchanged: 0 };
  const { topology } = o.rendered;
  const ns = topology.gitops.argocdNamespace;
  const hub = o.rendered.clusters.find((rc) => rc.cluster.hub);
  if (!hub) throw new Error('the topology has no hub cluster; exactly one role must have hub: true');
  const spokes = o.rendered.clusters.filter((rc) => !rc.cluster.hub);
  const hubKc = kubeConfigOf(o, hub.cluster.name);
  const appliers = new Map<string, Applier>();
  const applierOf = (cluster: string) => {
    if (!appliers.has(cluster)) appliers.set(cluster, new Applier(kubeConfigOf(o, cluster), fieldManager, o.dryRun));
    return appliers.get(cluster)!;
  };
  const apply = async (cluster: string, obj: Manifest) => {
    const applier = applierOf(cluster);
    const outcome = await applier.apply(obj as KubernetesObject);
    tally[outcome]++;
    const unchecked = applier.unchecked.has(obj as KubernetesObject) ? ' (not checked by the server: its namespace or kind is not there yet)' : '';
    o.log(`  ${outcomeLine(outcome, describe(obj), o.dryRun)}${unchecked}`);
  };
  const deadline = Date.now() + o.waitSeconds * 1000;

  o.log(`Argo CD ${topology.versions.argocd} on ${hub.cluster.name} (${o.argocdManifest})`);
  const install = argocdObjects(hub, await readInstallManifest(o.argocdManifest), ns);
  for (const obj of install) await apply(hub.cluster.name, obj);
  if (!o.dryRun) await waitForCrds(o, applierOf(hub.cluster.name), install, deadline);

  const servers = new Map<string, string>();
  for (const spoke of spokes) {
    const name = spoke.cluster.name;
    const server = o.servers.get(name) ?? serverOf(kubeConfigOf(o, name));
    servers.set(name, server);
    o.log(`${name}: ServiceAccount ${manager.namespace}/${manager.name}, registered in Argo CD at ${server}`);
    for (const obj of managerObjects(spoke, await trackedClusterObjects(applierOf(name), spoke))) await apply(name, obj);
    const creds = await tokenOf(o, name, manager.namespace, manager.tokenSecret, o.dryRun ? Date.now() : deadline);
    if (creds) await apply(hub.cluster.name, clusterSecret(name, server, creds, ns, managedNamespaces(spoke)));
    else if (o.dryRun) o.log(`  ${outcomeLine('created', `Secret ${ns}/cluster-${name} (once the token exists)`, true)}`);
    else throw new Error(`cluster ${name} did not fill in the token of Secret ${manager.namespace}/${manager.tokenSecret} within ${o.waitSeconds}s; is its token controller running?`);
  }

  o.log(`AppProjects and root Applications on ${hub.cluster.name}`);
  for (const obj of projectsAndRoots(o.rendered, hub)) await apply(hub.cluster.name, obj);

  const kubeconfig = prowKubeconfigObject(hub);
  if (kubeconfig) {
    o.log(`Prow's kubeconfig ${kubeconfig.namespace}/${kubeconfig.name}: ${kubeconfig.contexts.join(', ')}`);
    const access: BuildClusterAccess[] = [];
    for (const name of kubeconfig.contexts) {
      const credentials = await tokenOf(o, name, jobsNamespace, prowIdentity.tokenSecret, o.dryRun ? Date.now() : deadline);
      if (credentials) access.push({ name, server: name === hub.cluster.name ? inClusterServer : (servers.get(name) ?? serverOf(kubeConfigOf(o, name))), credentials });
    }
    const waiting = kubeconfig.contexts.filter((c) => !access.some((a) => a.name === c));
    if (waiting.length === 0) await waitForNamespace(o, hub.cluster.name, prowKubeconfig(kubeconfig, access), apply, deadline);
    else if (o.dryRun) o.log(`  ${outcomeLine('created', `Secret ${kubeconfig.namespace}/${kubeconfig.name} (once Argo CD has synced build-cluster on ${waiting.join(', ')})`, true)}`);
    else
      throw new Error(
        `Secret ${jobsNamespace}/${prowIdentity.tokenSecret} did not appear on ${waiting.join(', ')} within ${o.waitSeconds}s; Argo CD creates it when it syncs the build-cluster Application. See \`pnpm status\`, then run bootstrap again (it is safe to repeat).`,
      );
  }
  return tally;
}

/**
 * The spoke's live cluster-scoped objects that Argo CD deployed for its Applications (by
 * their tracking annotation), of the kinds its AppProject allows. The manager keeps the right
 * to delete them after git drops them, so that Argo CD can prune them.
 */
async function trackedClusterObjects(applier: Applier, spoke: RenderedCluster): Promise<ClusterObject[]> {
  const apps = new Set(applicationsOf(spoke));
  const kinds = (projectOf(spoke)['spec'] as { clusterResourceWhitelist: { group: string; kind: string }[] }).clusterResourceWhitelist;
  const found: ClusterObject[] = [];
  for (const k of kinds) {
    // Every kind a workloads cluster's AppProject allows cluster-wide is served at v1.
    for (const live of await applier.list(k.group ? `${k.group}/v1` : 'v1', k.kind)) {
      const app = trackedBy(live.metadata?.annotations?.[trackingAnnotation]);
      if (app && apps.has(app)) found.push({ ...k, name: live.metadata!.name! });
    }
  }
  return found;
}

async function tokenOf(o: BootstrapOptions, cluster: string, namespace: string, name: string, deadline: number): Promise<ClusterCredentials | undefined> {
  const applier = new Applier(kubeConfigOf(o, cluster), fieldManager, o.dryRun);
  return waitFor(o, deadline, async () => credentialsOf(await applier.read<KubernetesObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } })));
}

async function waitForCrds(o: BootstrapOptions, applier: Applier, objects: readonly Manifest[], deadline: number): Promise<void> {
  for (const crd of objects.filter((m) => m.kind === 'CustomResourceDefinition')) {
    const established = await waitFor(o, deadline, async () => {
      const live = await applier.read<KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } }>(crd as KubernetesObject);
      return live?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });
    if (!established) throw new Error(`CustomResourceDefinition ${crd.metadata.name} was not Established within ${o.waitSeconds}s`);
  }
}

/** The Secret goes into a namespace Argo CD creates; retry until it exists. */
async function waitForNamespace(o: BootstrapOptions, cluster: string, obj: Manifest, apply: (cluster: string, obj: Manifest) => Promise<void>, deadline: number): Promise<void> {
  for (;;) {
    try {
      return await apply(cluster, obj);
    } catch (err) {
      if (o.dryRun || Date.now() >= deadline || !/namespaces\W+[\w.-]+\W+not found/.test((err as Error).message)) throw err;
      await sleep(o.pollMs ?? 5000);
    }
  }
}

/**
 * The roots' AppProject, every cluster's AppProject, then the root Applications (the hub's
 * first): the roots create everything else, and the projects exist before the roots sync.
 */
export function projectsAndRoots(rendered: Rendered, hub: RenderedCluster): Manifest[] {
  const argo = [hub, ...rendered.clusters.filter((rc) => rc !== hub)].flatMap((rc) => rc.argo);
  const projects = argo.filter((m) => m.kind === 'AppProject').sort((a, b) => Number(b.metadata.name === rootsProject) - Number(a.metadata.name === rootsProject));
  const roots = argo.filter((m) => m.kind === 'Application' && (m['spec'] as { project: string }).project === rootsProject);
  return [...projects, ...roots];
}
