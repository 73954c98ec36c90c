/**
 * What Argo CD deploys to one cluster, as Applications ("parts"): each upstream release, each
 * app's rendered objects, and the cluster's namespaces; what each part must come after; and
 * the one index of the custom kinds the releases install.
 */
import type { ApplicationSourceSpec } from '@kubevirt-ci/argocd';
import { builtinClusterKinds, builtinGroups, byText, formatGroupKind, groupKindKey, namespace } from '@kubevirt-ci/kube';
import { guardedHook, sourceOf, type AppContext, type Cluster, type CustomKind, type GroupKind, type Problems, type Release, type ResolvedTopology } from '@kubevirt-ci/topology';
import { App, Chart } from 'cdk8s';
import { describe, groupKindOf, type Manifest } from './manifest.ts';

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
  /** The sync wave, from the order of `after` (see order.ts). */
  readonly wave: number;
  readonly serverSideApply: boolean;
  /** The file the part's objects come from, for the generated headers. */
  readonly sourceFile: string;
}

/** A part before its wave is known. */
export type PlannedPart = Omit<Part, 'wave'>;

/** A custom kind some release of the cluster installs, and the part that installs it. */
export type InstalledKind = CustomKind & { readonly part: string };

/** Custom kinds by group/kind key. */
export type Installs = ReadonlyMap<string, InstalledKind>;

export interface Plan {
  readonly parts: readonly PlannedPart[];
  /** The cluster's namespaces, sorted. */
  readonly namespaces: readonly string[];
  /** The namespaces each app declares. */
  readonly appNamespaces: ReadonlyMap<string, readonly string[]>;
  readonly installs: Installs;
}

/** Above this size an object's last-applied annotation no longer fits; apply it server-side. */
const clientSideApplyLimit = 256 * 1024;

function chartObjects(chart: Chart): Manifest[] {
  return chart.toJson() as Manifest[];
}

/** Whether a kind is cluster-scoped or namespaced, and which part installs it if it is custom. */
export function scopeOf(gk: GroupKind, installs: Installs): { scope: 'Cluster' | 'Namespaced'; installedBy?: string } | undefined {
  const key = groupKindKey(gk);
  if (builtinClusterKinds.has(key)) return { scope: 'Cluster' };
  const custom = installs.get(key);
  if (custom) return { scope: custom.scope, installedBy: custom.part };
  if (builtinGroups.has(gk.group)) return { scope: 'Namespaced' };
  return undefined;
}

interface AppRendering {
  readonly app: string;
  readonly file: string;
  readonly description: string;
  readonly objects: Manifest[];
  readonly releases: readonly string[];
}

/**
 * Checks each rendered object against the cluster: a kind the cluster has, a namespace its
 * app declares (or none, for a cluster-scoped kind), one app per object. Returns the parts
 * each app's objects must come after: the releases installing the kinds it uses.
 */
function checkObjects(cluster: Cluster, r: AppRendering, declared: readonly string[], installs: Installs, owners: Map<string, string>, problems: Problems): Set<string> {
  // An app's own objects come after the upstream releases it installs: they run on them.
  const after = new Set<string>(r.releases);
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
      problems.add({ file: r.file, object, field: 'metadata.namespace', message: `${m.kind} is namespaced but has no namespace`, fix: "set metadata.namespace to one of the app's namespaces" });
    } else if (scope.scope === 'Namespaced' && !declared.includes(ns!)) {
      problems.add({ file: r.file, object, field: 'metadata.namespace', message: `"${ns}" is not one of the app's namespaces (${declared.join(', ')})`, fix: "add it to the app's namespaces() so the cluster creates it" });
    } else if (scope.scope === 'Cluster' && ns) {
      problems.add({ file: r.file, object, field: 'metadata.namespace', message: `${m.kind} is cluster-scoped but has namespace "${ns}"`, fix: 'remove metadata.namespace' });
    }
    const key = `${groupKindKey(gk)}/${ns ?? ''}/${m.metadata.name}`;
    const owner = owners.get(key);
    if (owner) problems.add({ file: r.file, object, field: 'metadata.name', message: `app "${owner}" renders the same object`, fix: 'let exactly one app own each object' });
    owners.set(key, r.app);
  }
  return after;
}

/** Calls each app's render() once and plans the cluster's parts from it and what the apps declared. */
export function planCluster(t: ResolvedTopology, cluster: Cluster, problems: Problems): Plan {
  const cdk = new App();
  const releaseParts: PlannedPart[] = [];
  const appNamespaces = new Map<string, readonly string[]>();
  const installs = new Map<string, InstalledKind>();
  const rendered: AppRendering[] = [];

  for (const { app, values, declared } of cluster.apps) {
    const ctx: AppContext = { topology: t, cluster, values };
    const object = `app "${app.name}" on cluster "${cluster.name}"`;
    const file = sourceOf(app);
    const { namespaces, releases } = declared;
    appNamespaces.set(app.name, namespaces);
    for (const release of releases) {
      if (!namespaces.includes(release.namespace)) {
        problems.add({ file, object, field: `releases().${release.name}.namespace`, message: `"${release.namespace}" is not one of the app's namespaces`, fix: "add it to the app's namespaces()" });
      }
      for (const kind of release.installs) installs.set(groupKindKey(kind), { ...kind, part: release.name });
      releaseParts.push({
        name: release.name,
        app: app.name,
        description: `${app.component}: the pinned upstream release`,
        source: release.source,
        destinationNamespace: release.namespace,
        objects: [],
        release,
        after: new Set(),
        serverSideApply: release.serverSideApply,
        sourceFile: file,
      });
    }
    const chart = new Chart(cdk, `${cluster.name}-${app.name}`);
    const objects = guardedHook(problems, app, cluster, 'render', () => (app.render(chart, ctx), chartObjects(chart)), []);
    if (objects.length > 0) rendered.push({ app: app.name, file, description: `${app.component}: ${app.description}`, objects, releases: releases.map((r) => r.name) });
  }

  const owners = new Map<string, string>();
  const appParts = rendered.map((r): PlannedPart => {
    const declared = appNamespaces.get(r.app) ?? [];
    return {
      name: r.app,
      app: r.app,
      description: r.description,
      source: { type: 'rendered', path: `${cluster.manifestsDir}/${r.app}` },
      destinationNamespace: declared[0] ?? t.gitops.argocdNamespace,
      objects: r.objects,
      release: undefined,
      after: checkObjects(cluster, r, declared, installs, owners, problems),
      serverSideApply: Math.max(...r.objects.map((m) => JSON.stringify(m).length)) > clientSideApplyLimit,
      sourceFile: r.file,
    };
  });

  const namespaces = [...new Set([...appNamespaces.values()].flat())].sort(byText);
  const parts = [...releaseParts, ...appParts];
  if (namespaces.length === 0) return { parts, namespaces, appNamespaces, installs };
  // Everything else lands in the namespaces, so comes after them.
  return { parts: [namespacesPart(t, cluster, namespaces, cdk), ...parts.map((p) => ({ ...p, after: new Set([...p.after, 'namespaces']) }))], namespaces, appNamespaces, installs };
}

function namespacesPart(t: ResolvedTopology, cluster: Cluster, namespaces: readonly string[], cdk: App): PlannedPart {
  const chart = new Chart(cdk, `${cluster.name}-namespaces`);
  for (const ns of namespaces) {
    const spec = t.namespaces[ns];
    if (spec) namespace(chart, ns, spec);
  }
  return {
    name: 'namespaces',
    app: undefined,
    description: 'the namespaces of every app on the cluster, created before anything lands in them',
    source: { type: 'rendered', path: `${cluster.manifestsDir}/namespaces` },
    destinationNamespace: namespaces[0]!,
    objects: chartObjects(chart),
    release: undefined,
    after: new Set(),
    serverSideApply: false,
    sourceFile: sourceOf(t.namespaces),
  };
}
