import { dirname } from 'node:path';
import type { Finding } from './finding.ts';
import { builtinGroups, conventions, get, groupOf, objectsIn } from '@kubevirt-ci/kube/read';
import { refOf, type ParsedObject } from './parse.ts';

const arr = objectsIn;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface ArgoOptions {
  /** The repository Applications read this tree from, and where the tree sits in it. */
  readonly repoURL: string;
  readonly basePath: string;
  /** Destination names the topology knows; undefined skips that check. */
  readonly destinations?: readonly string[];
}

interface App {
  readonly o: ParsedObject;
  readonly name: string;
  readonly project: string;
  readonly destination: { name: string; namespace: string };
  readonly wave: number;
  readonly path: string | undefined;
  readonly installs: readonly string[];
}

/**
 * Stage 5: the Argo CD graph. Every Application that reads this repository reads a non-empty
 * directory; its project exists and allows its destination, every kind and namespace in that
 * directory; no object has two owners; a custom resource comes after the release that
 * installs its CRD; and no rendered directory is left without an Application.
 */
export function checkArgoGraph(objects: readonly ParsedObject[], options: ArgoOptions): Finding[] {
  const findings: Finding[] = [];
  const report = (o: ParsedObject, rule: string, path: string, message: string, fix: string) =>
    findings.push({ rule, severity: 'error', file: o.file, line: o.line, object: refOf(o.value), path, message, fix });

  const byDir = new Map<string, ParsedObject[]>();
  for (const o of objects) {
    const dir = dirname(o.file);
    const list = byDir.get(dir);
    if (list) list.push(o);
    else byDir.set(dir, [o]);
  }
  const isArgo = (o: ParsedObject, kind: string) => String(o.value['apiVersion']).startsWith('argoproj.io/') && o.value['kind'] === kind;
  const projects = new Map(objects.filter((o) => isArgo(o, 'AppProject')).map((o) => [refOf(o.value).name ?? '', o]));
  const prefix = options.basePath ? `${options.basePath}/` : '';
  const apps: App[] = objects
    .filter((o) => isArgo(o, 'Application'))
    .map((o) => {
      const source = get(o.value, 'spec', 'source');
      const ours = str(get(source, 'repoURL')) === options.repoURL && !get(source, 'chart');
      const path = ours ? str(get(source, 'path')) : undefined;
      return {
        o,
        name: refOf(o.value).name ?? '',
        project: str(get(o.value, 'spec', 'project')),
        destination: { name: str(get(o.value, 'spec', 'destination', 'name')), namespace: str(get(o.value, 'spec', 'destination', 'namespace')) },
        wave: Number(get(o.value, 'metadata', 'annotations', conventions.annotations.syncWave) ?? 0),
        path: path === undefined ? undefined : path.startsWith(prefix) ? path.slice(prefix.length) : path,
        installs: str(get(o.value, 'metadata', 'annotations', conventions.annotations.installs)).split(',').filter(Boolean),
      };
    });

  const installers = new Map<string, App[]>();
  for (const a of apps) {
    for (const kind of a.installs) {
      const k = `${a.destination.name}/${kind}`;
      installers.set(k, [...(installers.get(k) ?? []), a]);
    }
  }
  // What a project allows, read once however many Applications it holds.
  const allows = new Map<ParsedObject, { allowed: Set<string>; clusterKinds: Set<string>; namespacedKinds: Set<string> }>();
  const allowsOf = (project: ParsedObject) => {
    let a = allows.get(project);
    if (!a) {
      const pairs = (field: string, first: string, second: string) => new Set(arr(get(project.value, 'spec', field)).map((d) => `${str(d[first])}/${str(d[second])}`));
      a = { allowed: pairs('destinations', 'name', 'namespace'), clusterKinds: pairs('clusterResourceWhitelist', 'group', 'kind'), namespacedKinds: pairs('namespaceResourceWhitelist', 'group', 'kind') };
      allows.set(project, a);
    }
    return a;
  };
  const owners = new Map<string, string>();
  const referenced = new Set<string>();
  for (const app of apps) {
    const project = projects.get(app.project);
    if (!project) {
      report(app.o, 'argocd/unknown-project', 'spec.project', `AppProject ${app.project} is not rendered`, 'render the project or name one that is');
      continue;
    }
    const { allowed, clusterKinds, namespacedKinds } = allowsOf(project);
    if (options.destinations && !options.destinations.includes(app.destination.name)) {
      report(app.o, 'argocd/unknown-destination', 'spec.destination.name', `cluster ${app.destination.name} is not in the topology`, 'name a cluster of the topology (or in-cluster for the hub)');
    }
    if (!allowed.has(`${app.destination.name}/${app.destination.namespace}`)) {
      report(app.o, 'argocd/destination-not-allowed', 'spec.destination', `project ${app.project} does not allow ${app.destination.name}/${app.destination.namespace}`, "add the destination to the project, or fix the Application's");
    }
    if (app.path === undefined) continue;
    referenced.add(app.path);
    const inPath = byDir.get(app.path) ?? [];
    if (inPath.length === 0) {
      report(app.o, 'argocd/empty-path', 'spec.source.path', `${app.path} has no manifests`, 'render the app, or remove the Application');
      continue;
    }
    for (const o of inPath) {
      const r = refOf(o.value);
      const group = groupOf(String(o.value['apiVersion']));
      const gk = `${group}/${r.kind}`;
      const at = (path: string, message: string, fix: string, rule: string) => report(o, rule, path, message, fix);
      if (r.namespace) {
        if (!namespacedKinds.has(gk)) at('kind', `project ${app.project} does not allow ${r.kind}${group ? `.${group}` : ''} in namespaces`, 'add the kind to the namespaceResourceWhitelist of the project', 'argocd/kind-not-allowed');
        if (!allowed.has(`${app.destination.name}/${r.namespace}`)) at('metadata.namespace', `project ${app.project} does not allow namespace ${r.namespace} on ${app.destination.name}`, 'add the namespace to the project destinations', 'argocd/namespace-not-allowed');
      } else if (!clusterKinds.has(gk)) {
        at('kind', `project ${app.project} does not allow the cluster-scoped ${r.kind}${group ? `.${group}` : ''}`, 'add the kind to the clusterResourceWhitelist of the project', 'argocd/kind-not-allowed');
      }
      // Applications and AppProjects land on the hub; everything else on the destination.
      const onHub = group === 'argoproj.io' && (r.kind === 'Application' || r.kind === 'AppProject');
      const key = `${onHub ? '(argo cd)' : app.destination.name}/${gk}/${r.namespace ?? ''}/${r.name}`;
      const owner = owners.get(key);
      if (owner && owner !== app.name) at('metadata.name', `Applications ${owner} and ${app.name} both own this object`, 'let exactly one Application render it', 'argocd/shared-object');
      owners.set(key, app.name);
      if (!builtinGroups.has(group) && !onHub) {
        const want = `${r.kind}.${group}`;
        const by = installers.get(`${app.destination.name}/${want}`) ?? [];
        if (by.length === 0) at('apiVersion', `no Application installs the CRD for ${want} on ${app.destination.name}`, 'enable the app whose release installs it on that cluster', 'argocd/crd-missing');
        else if (!by.some((a) => a.wave < app.wave)) at('apiVersion', `${want} is installed by ${by.map((a) => `${a.name} (wave ${a.wave})`).join(', ')}, not before this Application (wave ${app.wave})`, 'sync the release in an earlier wave', 'argocd/crd-order');
      }
    }
  }

  for (const [dir, list] of byDir) {
    if (!referenced.has(dir)) {
      report(list[0]!, 'argocd/orphaned-directory', '', `no Application syncs ${dir}/`, 'add an Application for it or remove the directory');
    }
  }
  return findings;
}
