import type { ProvidedObject } from '@kubevirt-ci/topology';
import type { Manifest, RenderedCluster } from '@kubevirt-ci/synth';
import { stringify } from 'yaml';
import type { ClusterCredentials } from './clusters.ts';

/** How Prow's pods on the hub reach its own API server. */
export const inClusterServer = 'https://kubernetes.default.svc';

/** The provided kubeconfig the hub's apps declare (Prow's): the provided object with contexts. */
export function prowKubeconfigObject(hub: RenderedCluster): (ProvidedObject & { contexts: readonly string[] }) | undefined {
  return hub.provided.find((o): o is ProvidedObject & { contexts: readonly string[] } => !!o.contexts);
}

export interface BuildClusterAccess {
  readonly name: string;
  readonly server: string;
  readonly credentials: ClusterCredentials;
}

/**
 * Prow's kubeconfig Secret: one context per build cluster, named as the cluster, with the
 * token of that cluster's prow-control-plane ServiceAccount (apps/build-cluster).
 */
export function prowKubeconfig(object: ProvidedObject & { contexts: readonly string[] }, access: readonly BuildClusterAccess[]): Manifest {
  const missing = object.contexts.filter((c) => !access.some((a) => a.name === c));
  if (missing.length > 0) throw new Error(`no credentials for build clusters ${missing.join(', ')}`);
  const ordered = object.contexts.map((c) => access.find((a) => a.name === c)!);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: ordered.map((a) => ({ name: a.name, cluster: { server: a.server, 'certificate-authority-data': a.credentials.caData } })),
    users: ordered.map((a) => ({ name: a.name, user: { token: a.credentials.token } })),
    contexts: ordered.map((a) => ({ name: a.name, context: { cluster: a.name, user: a.name } })),
    'current-context': ordered[0]?.name ?? '',
  };
  const key = object.keys[0]!;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: object.name, namespace: object.namespace },
    type: 'Opaque',
    data: { [key]: Buffer.from(stringify(config)).toString('base64') },
  };
}
