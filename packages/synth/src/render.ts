import { application, project, repoOf, type ApplicationSourceSpec } from '@kubevirt-ci/argocd';
import { builtinClusterKinds, builtinGroups, byText, formatGroupKind, groupKindKey, namespace } from '@kubevirt-ci/kube';
import {
  Problems,
  resolveTopology,
  sourceOf,
  TopologyError,
  type AppContext,
  type AppDefinition,
  type Cluster,
  type CustomKind,
  type ProvidedObject,
  type GroupKind,
  type Release,
  type ResolvedTopology,
  type Topology,
} from '@kubevirt-ci/topology';
import { App, Chart } from 'cdk8s';
import { headerFor, objectFiles } from './files.ts';
import { describe, groupKindOf, type Manifest } from './manifest.ts';
import { checkPresets, type OfferedPreset } from './presets.ts';

/** The name of the project every cluster's root Application belongs to. */
export const rootsProject = 'kubevirt-ci-roots';

/** One Argo CD Application of a cluster: our rendered objects, a release, or the namespaces. */
export interface Part {
  readonly name: string;
  /** The app it belongs to; undefined for the cluster's namespaces. */
  readonly app: string | undefined;
  readonly description: string;
  readonly source: ApplicationSourceSpec;
  readonly destinationNamespace: string;
  readonly objects: readonly Manifest[];
  readonly release: Release | undefined;
  /** Parts that must be synced and healthy first. */
  readonly after: ReadonlySet<string>;
  wave: number;
  readonly serverSideApply: boolean;
  /** The file the part's objects come from, for the generated headers. */
  readonly sourceFile: string;
}

export interface RenderedCluster {
  readonly cluster: Cluster;
  readonly parts: readonly Part[];
  /** The cluster's namespaces, sorted. */
  readonly namespaces: readonly string[];
  /** Objects the cluster's apps need that are created outside git. */
  readonly provided: readonly ProvidedObject[];
  /** The Prow job presets the cluster's apps offer its jobs. */
  readonly presets: readonly OfferedPreset[];
  /** The root directory's objects: AppProjects and Applications. */
  readonly argo: readonly Manifest[];
  /** Repo-relative path -> file content. */
  readonly files: ReadonlyMap<string, string>;
}

export interface Rendered {
  readonly topology: ResolvedTopology;
  readonly clusters: readonly RenderedCluster[];
}

/** Above this size an object's last-applied annotation no longer fits; apply it server-side. */
const clientSideApplyLimit = 256 * 1024;


function chartObjects(chart: Chart): Manifest[] {
  return chart.toJson() as Manifest[];
}

interface Scope {
  readonly scope: 'Cluster' | 'Namespaced';
  readonly installedBy?: string;
}

function scopeOf(gk: GroupKind, installs: ReadonlyMap<string, CustomKind & { part: string }>): Scope | undefined {
  const key = groupKindKey(gk);
  if (builtinClusterKinds.has(key)) return { scope: 'Cluster' };
  const custom = installs.get(key);
  if (custom) return { scope: custom.scope, installedBy: custom.part };
  if (builtinGroups.has(gk.group)) return { scope: 'Namespaced' };
  return undefined;
}

/** Calls one of an app's hooks; a throw becomes a problem naming the app, its file, the cluster and the hook. */
function callHook<T>(problems: Problems, app: AppDefinition, cluster: Cluster, hook: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TopologyError) {
      // The app found problems of its own, each already naming its file, object and field.
      for (const p of err.problems) problems.add(p);
      return fallback;
    }
    problems.add({ file: sourceOf(app), object: `app "${app.name}" on cluster "${cluster.name}"`, field: `${hook}()`, message: (err as Error).message, fix: 'fix the app or the values it was given' });
    return fallback;
  }
}

function renderCluster(t: ResolvedTopology, cluster: Cluster, problems: Problems): RenderedCluster {
  const cdk = new App();
  const parts: Part[] = [];
  const appNamespaces = new Map<string, readonly string[]>();
  const installs = new Map<string, CustomKind & { part: string }>();
  const rendered: { app: string; file: string; description: string; objects: Manifest[] }[] = [];
  const releasesOf = new Map<string, string[]>();

  for (const { app, values } of cluster.apps) {
    const ctx: AppContext = { topology: t, cluster, values };
    const object = `app "${app.name}" on cluster "${cluster.name}"`;
    const file = sourceOf(app);
    const namespaces = app.namespaces(ctx);
    appNamespaces.set(app.name, namespaces);
    const releases = callHook<readonly Release[]>(problems, app, cluster, 'releases', () => app.releases(ctx), []);
    for (const release of releases) {
      if (!namespaces.includes(release.namespace)) {
        problems.add({ file, object, field: `releases().${release.name}.namespace`, message: `"${release.namespace}" is not one of the app's namespaces`, fix: "add it to the app's namespaces()" });
      }
      for (const kind of release.installs) installs.set(groupKindKey(kind), { ...kind, part: release.name });
      releasesOf.set(app.name, [...(releasesOf.get(app.name) ?? []), release.name]);
      parts.push({
        name: release.name,
        app: app.name,
        description: `${app.component}: the pinned upstream release`,
        source: release.source,
        destinationNamespace: release.namespace,
        objects: [],
        release,
        after: new Set(),
        wave: 0,
        serverSideApply: release.serverSideApply,
        sourceFile: file,
      });
    }
    const chart = new Chart(cdk, `${cluster.name}-${app.name}`);
    const objects = callHook(problems, app, cluster, 'render', () => (app.render(chart, ctx), chartObjects(chart)), []);
    if (objects.length > 0) rendered.push({ app: app.name, file, description: `${app.component}: ${app.description}`, objects });
  }

  const owners = new Map<string, string>();
  for (const r of rendered) {
    // An app's own objects come after the upstream releases it installs: they run on them.
    const after = new Set<string>(releasesOf.get(r.app));
    const declared = appNamespaces.get(r.app) ?? [];
    for (const m of r.objects) {
      const object = `${describe(m)} of app "${r.app}" on cluster "${cluster.name}"`;
      const gk = groupKindOf(m);
      const scope = scopeOf(gk, installs);
      if (!scope) {
        problems.add({ file: r.file, object, field: 'apiVersion', message: `no app on this cluster installs the CRD for ${formatGroupKind(gk)}`, fix: `enable the app whose release installs ${formatGroupKind(gk)} on role "${cluster.role}"` });
        continue;
      }
      if (scope.installedBy) after.add(scope.installedBy);
      const ns = m.metadata.namespace;
      if (scope.scope === 'Namespaced' && !ns) {
        problems.add({ file: r.file, object, field: 'metadata.namespace', message: `${m.kind} is namespaced but has no namespace`, fix: 'set metadata.namespace to one of the app\'s namespaces' });
      } else if (scope.scope === 'Namespaced' && !declared.includes(ns!)) {
        problems.add({ file: r.file, object, field: 'metadata.namespace', message: `"${ns}" is not one of the app's namespaces (${declared.join(', ')})`, fix: "add it to the app's namespaces() so the cluster creates it" });
      } else if (scope.scope === 'Cluster' && ns) {
        problems.add({ file: r.file, object, field: 'metadata.namespace', message: `${m.kind} is cluster-scoped but has namespace "${ns}"`, fix: 'remove metadata.namespace' });
      }
      if (m.kind === 'Secret' && gk.group === '' && (m['data'] !== undefined || m['stringData'] !== undefined)) {
        problems.add({ file: r.file, object, field: m['data'] !== undefined ? 'data' : 'stringData', message: 'a Secret with values would put them in git', fix: 'declare the Secret as provided outside git and let bootstrap create it' });
      }
      const key = `${groupKindKey(gk)}/${ns ?? ''}/${m.metadata.name}`;
      const owner = owners.get(key);
      if (owner) {
        problems.add({ file: r.file, object, field: 'metadata.name', message: `app "${owner}" renders the same object`, fix: 'let exactly one app own each object' });
      }
      owners.set(key, r.app);
    }
    const size = Math.max(...r.objects.map((m) => JSON.stringify(m).length));
    parts.push({
      name: r.app,
      app: r.app,
      description: r.description,
      source: { type: 'rendered', path: `${cluster.manifestsDir}/${r.app}` },
      destinationNamespace: declared[0] ?? t.gitops.argocdNamespace,
      objects: r.objects,
      release: undefined,
      after,
      wave: 0,
      serverSideApply: size > clientSideApplyLimit,
      sourceFile: r.file,
    });
  }

  const namespaces = [...new Set([...appNamespaces.values()].flat())].sort(byText);
  if (namespaces.length > 0) {
    const chart = new Chart(cdk, `${cluster.name}-namespaces`);
    for (const ns of namespaces) {
      const spec = t.namespaces[ns];
      if (spec) namespace(chart, ns, spec);
    }
    for (const p of parts) (p.after as Set<string>).add('namespaces');
    parts.unshift({
      name: 'namespaces',
      app: undefined,
      description: 'the namespaces of every app on the cluster, created before anything lands in them',
      source: { type: 'rendered', path: `${cluster.manifestsDir}/namespaces` },
      destinationNamespace: namespaces[0]!,
      objects: chartObjects(chart),
      release: undefined,
      after: new Set(),
      wave: 0,
      serverSideApply: false,
      sourceFile: sourceOf(t.namespaces),
    });
  }

  const seen = new Set<string>();
  for (const p of parts) {
    if (seen.has(p.name)) {
      problems.add({ file: p.sourceFile, object: `cluster "${cluster.name}"`, field: 'name', message: `two Applications of the cluster are both named "${p.name}"`, fix: 'rename the release or the app' });
    }
    seen.add(p.name);
  }
  assignWaves(parts);

  const provided = cluster.apps.flatMap(({ app, values }) => {
    const declared = callHook(problems, app, cluster, 'provided', () => app.provided({ topology: t, cluster, values }), []);
    for (const p of declared) {
      if (!(appNamespaces.get(app.name) ?? []).includes(p.namespace)) {
        problems.add({ file: sourceOf(app), object: `app "${app.name}" on cluster "${cluster.name}"`, field: `provided().${p.kind} ${p.name}.namespace`, message: `"${p.namespace}" is not one of the app's namespaces`, fix: "add it to the app's namespaces()" });
      }
    }
    return declared;
  });
  const presets = cluster.apps.flatMap(({ app, values }) =>
    callHook(problems, app, cluster, 'jobPresets', () => app.jobPresets({ topology: t, cluster, values }), []).map((preset) => ({ app: app.name, file: sourceOf(app), preset })),
  );
  const argo = argoObjects(t, cluster, parts, namespaces);
  const files = objectFiles(cluster.manifestsDir, argo, headerFor(cluster.source));
  for (const p of parts) {
    if (p.objects.length === 0) continue;
    objectFiles(`${cluster.manifestsDir}/${p.name}`, p.objects, headerFor(p.sourceFile)).forEach((v, k) => files.set(k, v));
  }
  return { cluster, parts, namespaces, provided, presets, argo, files };
}

/** A part's wave is one past the latest wave of what it comes after. */
function assignWaves(parts: Part[]): void {
  const byName = new Map(parts.map((p) => [p.name, p]));
  const done = new Map<string, number>();
  const visit = (p: Part, path: string[]): number => {
    const known = done.get(p.name);
    if (known !== undefined) return known;
    if (path.includes(p.name)) throw new Error(`sync order has a cycle: ${[...path, p.name].join(' -> ')}`);
    let wave = 0;
    for (const dep of p.after) {
      const d = byName.get(dep);
      if (d) wave = Math.max(wave, visit(d, [...path, p.name]) + 1);
    }
    done.set(p.name, wave);
    return wave;
  };
  for (const p of parts) p.wave = visit(p, []);
}

function projectKinds(parts: readonly Part[], installs: ReadonlyMap<string, CustomKind & { part: string }>) {
  const cluster: GroupKind[] = [];
  const namespaced: GroupKind[] = [];
  for (const p of parts) {
    if (p.release) {
      cluster.push(...p.release.creates.cluster);
      namespaced.push(...p.release.creates.namespaced);
    }
    for (const m of p.objects) {
      const gk = groupKindOf(m);
      (scopeOf(gk, installs)?.scope === 'Cluster' ? cluster : namespaced).push(gk);
    }
  }
  return { cluster, namespaced };
}

/** The cluster's AppProject, its Applications and its root (and on the hub, the roots' project). */
function argoObjects(t: ResolvedTopology, cluster: Cluster, parts: readonly Part[], namespaces: readonly string[]): Manifest[] {
  const { gitops } = t;
  const cdk = new App();
  const root = new Chart(cdk, `${cluster.name}-root`);
  const installs = new Map<string, CustomKind & { part: string }>();
  for (const p of parts) for (const k of p.release?.installs ?? []) installs.set(groupKindKey(k), { ...k, part: p.name });

  if (cluster.hub) {
    project(root, gitops, {
      name: rootsProject,
      description: "Each cluster's root Application: it creates that cluster's AppProject and Applications in Argo CD.",
      sourceRepos: [gitops.repoURL],
      destinations: [{ name: gitops.inClusterName, namespace: gitops.argocdNamespace }],
      clusterKinds: [],
      namespacedKinds: [
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: 'argoproj.io', kind: 'Application' },
      ],
    });
  }
  const kinds = projectKinds(parts, installs);
  project(root, gitops, {
    name: cluster.name,
    description: `Everything Argo CD deploys to cluster ${cluster.name} (role ${cluster.role}).`,
    sourceRepos: [gitops.repoURL, ...parts.map((p) => repoOf(gitops, p.source))],
    destinations: namespaces.map((ns) => ({ name: cluster.destination, namespace: ns })),
    clusterKinds: kinds.cluster,
    namespacedKinds: kinds.namespaced,
  });
  const labels = (part: string | undefined) => ({
    'app.kubernetes.io/part-of': 'kubevirt-ci',
    'ci.kubevirt.io/cluster': cluster.name,
    'ci.kubevirt.io/role': cluster.role,
    ...(part ? { 'ci.kubevirt.io/app': part } : {}),
  });
  for (const p of parts) {
    application(root, gitops, {
      name: `${cluster.name}-${p.name}`,
      project: cluster.name,
      destination: { name: cluster.destination, namespace: p.destinationNamespace },
      source: p.source,
      wave: p.wave,
      serverSideApply: p.serverSideApply,
      labels: labels(p.app ?? p.name),
      description: p.description,
      installs: p.release?.installs.map(formatGroupKind),
    });
  }
  application(root, gitops, {
    name: `${cluster.name}-root`,
    project: rootsProject,
    destination: { name: gitops.inClusterName, namespace: gitops.argocdNamespace },
    source: { type: 'rendered', path: cluster.manifestsDir },
    wave: 0,
    serverSideApply: false,
    labels: labels(undefined),
    description: `app of apps for cluster ${cluster.name}: its AppProject and one Application per app`,
  });
  return chartObjects(root);
}

/**
 * Validates the topology and renders every cluster in memory. Throws a TopologyError with
 * every problem found; nothing is written here.
 */
export function render(topology: Topology): Rendered {
  const t = resolveTopology(topology);
  const problems = new Problems();
  const names = new Map<string, string>();
  for (const c of t.clusters) {
    if (c.name === rootsProject) {
      problems.add({ file: c.source, object: `cluster "${c.name}"`, field: 'name', message: `"${rootsProject}" is the name of the roots AppProject`, fix: 'choose another cluster name' });
    }
  }
  const clusters = t.clusters.map((c) => renderCluster(t, c, problems));
  checkPresets(clusters, problems);
  for (const rc of clusters) {
    for (const p of [...rc.parts.map((p) => p.name), 'root']) {
      const app = `${rc.cluster.name}-${p}`;
      const other = names.get(app);
      if (other && other !== rc.cluster.name) {
        problems.add({ file: rc.cluster.source, object: `cluster "${rc.cluster.name}"`, field: 'name', message: `its Application "${app}" has the same name as one of cluster "${other}"`, fix: 'rename one of the clusters' });
      }
      names.set(app, rc.cluster.name);
    }
  }
  problems.throwIfAny();
  return { topology: t, clusters };
}
