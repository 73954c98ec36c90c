import { readFile } from 'node:fs/promises';
import { builtinClusterKinds, groupKindKey } from '@kubevirt-ci/kube';
import { groupKindOf, type Manifest, type RenderedCluster } from '@kubevirt-ci/synth';
import { parse, parseAllDocuments } from 'yaml';

/**
 * The release's install manifest: Argo CD publishes manifests/cluster-install, which the hub's
 * argocd-release Application syncs, rendered into this one file at each tag.
 */
export function argocdInstallUrl(tag: string): string {
  return `https://raw.githubusercontent.com/argoproj/argo-cd/${tag}/manifests/install.yaml`;
}

/** Reads the install manifest from a URL or a local file (an offline mirror). */
export async function readInstallManifest(source: string): Promise<Manifest[]> {
  let text: string;
  try {
    if (/^https?:\/\//.test(source)) {
      const res = await fetch(source);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } else {
      text = await readFile(source, 'utf8');
    }
  } catch (err) {
    throw new Error(`cannot read Argo CD's install manifest ${source}: ${(err as Error).message}; pass --argocd-manifest with a reachable URL or a local copy of the release's install.yaml`);
  }
  const docs = parseAllDocuments(text);
  const broken = docs.flatMap((d, i) => d.errors.map((e) => `document ${i + 1}: ${e.message}`));
  if (broken.length > 0) throw new Error(`${source} is not valid YAML: ${broken[0]}`);
  return docs.map((d) => d.toJS() as Manifest | null).filter((m): m is Manifest => !!m && typeof m === 'object' && !!m.kind);
}

/** Merges a strategic-merge patch's maps into an object; lists and scalars are replaced. */
function merge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

interface KustomizePatch {
  readonly target: { readonly kind: string; readonly name: string };
  readonly patch: string;
}

/**
 * What bootstrap applies to install Argo CD: the hub's argocd Namespace as the repository
 * renders it, then the release's objects with the argocd-release Application's own kustomize
 * patches and namespace, so the first install is what Argo CD will go on syncing itself.
 */
export function argocdObjects(hub: RenderedCluster, release: readonly Manifest[], namespace: string): Manifest[] {
  const ns = hub.parts.flatMap((p) => p.objects).find((o) => o.kind === 'Namespace' && o.metadata.name === namespace);
  if (!ns) throw new Error(`cluster ${hub.cluster.name} renders no Namespace ${namespace}; enable the argocd app on the hub`);
  const app = hub.argo.find((m) => m.kind === 'Application' && m.metadata.name === `${hub.cluster.name}-argocd-release`);
  if (!app) throw new Error(`cluster ${hub.cluster.name} renders no Application ${hub.cluster.name}-argocd-release; enable the argocd app on the hub`);
  const patches = ((app['spec'] as { source: { kustomize?: { patches?: KustomizePatch[] } } }).source.kustomize?.patches ?? []);
  const objects = release.map((o) => {
    const clusterScoped = builtinClusterKinds.has(groupKindKey(groupKindOf(o)));
    let out: Manifest = clusterScoped ? o : { ...o, metadata: { ...o.metadata, namespace } };
    for (const p of patches) {
      if (p.target.kind === o.kind && p.target.name === o.metadata.name) out = merge(out, parse(p.patch) as Record<string, unknown>) as Manifest;
    }
    return out;
  });
  const missing = patches.filter((p) => !release.some((o) => o.kind === p.target.kind && o.metadata.name === p.target.name));
  if (missing.length > 0) throw new Error(`the install manifest has no ${missing.map((p) => `${p.target.kind} ${p.target.name}`).join(', ')} for the argocd-release patches; is it Argo CD's install.yaml?`);
  // CRDs first, so that nothing waits on a kind the API server does not know yet.
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  return [ns, ...crds, ...objects.filter((o) => o.kind !== 'CustomResourceDefinition')];
}
