import type { KubeConfig } from '@kubernetes/client-node';
import type { Manifest, RenderedCluster } from '@kubevirt-ci/synth';

/** Where the ServiceAccount Argo CD manages a workloads cluster as lives, on that cluster. */
export const manager = { namespace: 'kube-system', name: 'argocd-manager', tokenSecret: 'argocd-manager-token' } as const;

/** The label that makes a Secret in Argo CD's namespace a cluster Argo CD deploys to. */
const clusterSecretLabel = 'argocd.argoproj.io/secret-type';

interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** The REST resource name of a kind, by Kubernetes' plural rules. */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}

const all = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/**
 * What Argo CD reads for the resource tree and health of what it deploys (the pods of a
 * Deployment, the events of an object) without deploying any of it.
 */
const readOnly: GroupKind[] = [
  { group: '', kind: 'Pod' },
  { group: '', kind: 'Event' },
  { group: '', kind: 'Endpoints' },
  { group: 'discovery.k8s.io', kind: 'EndpointSlice' },
  { group: 'apps', kind: 'ReplicaSet' },
  { group: 'apps', kind: 'ControllerRevision' },
  { group: 'apps', kind: 'StatefulSet' },
  { group: 'batch', kind: 'Job' },
];

function rules(kinds: readonly GroupKind[], verbs: string[]) {
  const byGroup = new Map<string, Set<string>>();
  for (const k of kinds) byGroup.set(k.group, (byGroup.get(k.group) ?? new Set()).add(k.kind === 'Endpoints' ? 'endpoints' : pluralOf(k.kind)));
  return [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs }));
}

/** The namespaces a spoke's AppProject lets Argo CD deploy to: the only ones the manager may write. */
export function managedNamespaces(spoke: RenderedCluster): string[] {
  const project = projectOf(spoke);
  const spec = project['spec'] as { destinations: { namespace: string }[] };
  return [...new Set(spec.destinations.map((d) => d.namespace))].sort();
}

function projectOf(spoke: RenderedCluster): Manifest {
  const project = spoke.argo.find((m) => m.kind === 'AppProject' && m.metadata.name === spoke.cluster.name);
  if (!project) throw new Error(`cluster ${spoke.cluster.name} renders no AppProject ${spoke.cluster.name}`);
  return project;
}

/**
 * The ServiceAccount Argo CD deploys to a workloads cluster as, and what it may do there:
 * the namespaced kinds its AppProject allows, and reading what Argo CD shows of them (argocd-cm
 * sets resource.respectRBAC), through a Role in each namespace the AppProject names and
 * nowhere else (the cluster Secret tells Argo CD to watch only those); the cluster-scoped kinds
 * the AppProject allows through a ClusterRole. Those namespaces are made here, bare, so their
 * Roles have somewhere to live; the namespaces app sets their labels. `escalate` and `bind`
 * only on the roles git and the releases name (rbacGrants): what those grant is as strong as
 * what git asks for, so the AppProject and review are that boundary, as on the hub.
 */
/**
 * `escalate` and `bind` on the roles the spoke's Applications create and bind, by name and
 * nothing else: creating a role that grants what the manager does not hold takes `escalate`
 * on that role, binding one takes `bind` on it (RBAC's escalation check). The names are the
 * rendered roles, the roles rendered bindings refer to, and the ClusterRoles upstream releases
 * declare. A role of another name the manager can neither grant beyond itself nor bind.
 */
function rbacGrants(spoke: RenderedCluster) {
  const objects = spoke.parts.flatMap((p) => p.objects);
  const roleRefs = objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding').map((o) => (o as unknown as { roleRef: { kind: string; name: string } }).roleRef);
  const sorted = (names: string[]) => [...new Set(names)].sort();
  return (['ClusterRole', 'Role'] as const).flatMap((kind) => {
    // escalate: the roles it creates; bind: those, and the roles its bindings refer to.
    const created = sorted([...objects.filter((o) => o.kind === kind).map((o) => o.metadata.name), ...(kind === 'ClusterRole' ? spoke.parts.flatMap((p) => p.release?.clusterRoles ?? []) : [])]);
    const bound = sorted([...created, ...roleRefs.filter((r) => r.kind === kind).map((r) => r.name)]);
    const rule = (verb: string, resourceNames: string[]) => (resourceNames.length ? [{ apiGroups: ['rbac.authorization.k8s.io'], resources: [pluralOf(kind)], verbs: [verb], resourceNames }] : []);
    return [...rule('escalate', created), ...rule('bind', bound)];
  });
}

export function managerObjects(spoke: RenderedCluster): Manifest[] {
  const spec = projectOf(spoke)['spec'] as { clusterResourceWhitelist: GroupKind[]; namespaceResourceWhitelist: GroupKind[] };
  const namespaced = spec.namespaceResourceWhitelist;
  const writable = new Set(namespaced.map((k) => `${k.group}/${k.kind}`));
  const labels = { 'app.kubernetes.io/part-of': 'kubevirt-ci', 'app.kubernetes.io/managed-by': 'kubevirt-ci-bootstrap' };
  const subjects = [{ kind: 'ServiceAccount', name: manager.name, namespace: manager.namespace }];
  const namespaceRules = [...rules(namespaced, all), ...rules(readOnly.filter((k) => !writable.has(`${k.group}/${k.kind}`)), ['get', 'list', 'watch'])];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: manager.name, namespace: manager.namespace, labels } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: manager.tokenSecret, namespace: manager.namespace, labels, annotations: { 'kubernetes.io/service-account.name': manager.name } },
      type: 'kubernetes.io/service-account-token',
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: manager.name, labels },
      rules: [
        ...rules(spec.clusterResourceWhitelist, all),
        ...rbacGrants(spoke),
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: manager.name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: manager.name },
      subjects,
    },
    ...managedNamespaces(spoke).flatMap((namespace): Manifest[] => [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: manager.name, namespace, labels }, rules: namespaceRules },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: manager.name, namespace, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: manager.name }, subjects },
    ]),
  ];
}

/** A ServiceAccount token and the CA of the cluster that issued it, from its token Secret. */
export interface ClusterCredentials {
  readonly token: string;
  /** Base64 of the CA's PEM, as kubeconfigs and Argo CD keep it. */
  readonly caData: string;
}

export function credentialsOf(secret: { data?: Record<string, string> } | undefined): ClusterCredentials | undefined {
  const token = secret?.data?.['token'];
  const ca = secret?.data?.['ca.crt'];
  if (!token || !ca) return undefined;
  return { token: Buffer.from(token, 'base64').toString('utf8'), caData: ca };
}

/** The API server a context points at. */
export function serverOf(kc: KubeConfig): string {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error(`context ${kc.getCurrentContext()} names no cluster with a server`);
  return server;
}

/**
 * The Secret that registers a workloads cluster in Argo CD under its topology name (the
 * destination name its Applications use), limited to the namespaces the manager may write. It
 * is built in memory and only ever sent to the hub's API server.
 */
export function clusterSecret(name: string, server: string, creds: ClusterCredentials, argocdNamespace: string, namespaces: readonly string[]): Manifest {
  const config = { bearerToken: creds.token, tlsClientConfig: { insecure: false, caData: creds.caData } };
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `cluster-${name}`, namespace: argocdNamespace, labels: { [clusterSecretLabel]: 'cluster', 'app.kubernetes.io/part-of': 'kubevirt-ci' } },
    type: 'Opaque',
    // Argo CD watches namespaced kinds in these namespaces only, where the manager's Roles are,
    // and cluster-scoped kinds cluster-wide (util/db/cluster.go at our Argo CD pin).
    data: { name: b64(name), server: b64(server), config: b64(JSON.stringify(config)), namespaces: b64(namespaces.join(',')), clusterResources: b64('true') },
  };
}
