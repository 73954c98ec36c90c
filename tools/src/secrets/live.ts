import { CoreV1Api, KubernetesObjectApi, PatchStrategy, type KubeConfig } from '@kubernetes/client-node';
import { loadTopology, render } from '@kubevirt-ci/synth';
import type { ProvidedObject } from '@kubevirt-ci/topology';
import { serverMessage } from '../lib/apply.ts';
import { apiErrorDetail } from '../lib/kubeconfig.ts';
import { manifestOf, readBundle, ref, type BundleOptions, type ReadObject } from './provided.ts';

/** The field manager the cluster records for what this tool applies. */
export const fieldManager = 'kubevirt-ci-secrets';

function isNotFound(err: unknown): boolean {
  return (err as { code?: number }).code === 404;
}

/** Reads provided objects through the Kubernetes API. */
export function liveReader(kc: KubeConfig): ReadObject {
  const core = kc.makeApiClient(CoreV1Api);
  return async (kind, namespace, name) => {
    try {
      if (kind === 'ConfigMap') {
        const cm = await core.readNamespacedConfigMap({ namespace, name });
        return { data: { ...Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')])), ...Object.fromEntries(Object.entries(cm.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])) } };
      }
      const secret = await core.readNamespacedSecret({ namespace, name });
      return { data: Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new Error(`reading ${kind} ${namespace}/${name}: ${apiErrorDetail(err)}; is the context's API server reachable?`);
    }
  };
}

export async function requiredOn(cluster: string): Promise<readonly ProvidedObject[]> {
  const rendered = render(await loadTopology());
  const rc = rendered.clusters.find((c) => c.cluster.name === cluster);
  if (!rc) throw new Error(`no cluster "${cluster}" in the topology (there are: ${rendered.clusters.map((c) => c.cluster.name).join(', ')})`);
  return rc.provided;
}

/** Applies the bundle's objects server-side; returns one line per object. */
export async function applyBundle(kc: KubeConfig, dir: string, required: readonly ProvidedObject[], dryRun: boolean, opts: BundleOptions = {}): Promise<string[]> {
  const bundled = readBundle(dir, required, opts);
  const lines: string[] = [];
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const b of bundled) {
    if (!dryRun) {
      try {
        await api.patch(manifestOf(b) as never, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
      } catch (err) {
        const message = serverMessage(err) ?? apiErrorDetail(err);
        const immutable = /field is immutable/.test(message) ? `; its type cannot change in place: delete ${ref(b.object)} (kubectl delete), then apply again` : '';
        throw new Error(`applying ${ref(b.object)}: the API server refuses it: ${message}${immutable}`);
      }
    }
    lines.push(`${dryRun ? 'would apply' : 'applied'}  ${ref(b.object)} (${Object.keys(b.data).join(', ')})`);
  }
  const absent = required.filter((o) => !bundled.some((b) => b.object === o));
  for (const o of absent) lines.push(`not in bundle  ${ref(o)}`);
  return lines;
}

