import type { KubeConfig } from '@kubernetes/client-node';
import type { Manifest, RenderedCluster } from '@kubevirt-ci/synth';
import { groupOf } from '@kubevirt-ci/kube';
import { conventions } from '@kubevirt-ci/topology';

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

export function projectOf(spoke: RenderedCluster): Manifest {
  const project = spoke.argo.find((m) => m.kind === 'AppProject' && m.metadata.name === spoke.cluster.name);
  if (!project) throw new Error(`cluster ${spoke.cluster.name} renders no AppProject ${spoke.cluster.name}`);
  return project;
}

/** A cluster-scoped object, by kind and name. */
export interface ClusterObject extends GroupKind {
  readonly name: string;
}

/** The annotation Argo CD tracks what an Application deployed by (its default tracking method, util/settings/settings.go at our pin). */
export const trackingAnnotation = 'argocd.argoproj.io/tracking-id';

/** The Application a tracking id names: `<application>:<group>/<kind>:<namespace>/<name>` (util/argo/resource_tracking.go at our pin). */
export function trackedBy(trackingId: string | undefined): string | undefined {
  return trackingId?.split(':')[0];
}

/** The names of the spoke's Applications, which its live objects' tracking ids name. */
export function applicationsOf(spoke: RenderedCluster): string[] {
  return spoke.argo.filter((m) => m.kind === 'Application').map((m) => m.metadata.name);
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();
const rbacGroup = 'rbac.authorization.k8s.io';

/**
 * The cluster-scoped objects the manager may read, change and delete, by name: those the
 * spoke renders, the namespaces it deploys to, those its upstream releases declare (their
 * CRDs named by the kinds they install, their ClusterRoles and ClusterRoleBindings), and
 * `tracked`: live objects Argo CD deployed for the spoke's Applications, so that it can
 * still prune what git no longer holds. Any other object of these kinds it can list and
 * watch, and create, since the API server cannot judge a create by name.
 */
export function clusterObjects(spoke: RenderedCluster, tracked: readonly ClusterObject[] = []): ClusterObject[] {
  const spec = projectOf(spoke)['spec'] as { clusterResourceWhitelist: GroupKind[] };
  const allowed = new Set(spec.clusterResourceWhitelist.map((k) => `${k.group}/${k.kind}`));
  const releases = spoke.parts.flatMap((p) => (p.release ? [p.release] : []));
  const found: ClusterObject[] = [
    ...spoke.parts.flatMap((p) => p.objects).map((o) => ({ group: groupOf(o.apiVersion), kind: o.kind, name: o.metadata.name })),
    ...managedNamespaces(spoke).map((name) => ({ group: '', kind: 'Namespace', name })),
    ...releases.flatMap((r) => [
      ...r.installs.map((k) => ({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', name: `${pluralOf(k.kind)}.${k.group}` })),
      ...(r.clusterRoles ?? []).map((name) => ({ group: rbacGroup, kind: 'ClusterRole', name })),
      ...(r.clusterRoleBindings ?? []).map((name) => ({ group: rbacGroup, kind: 'ClusterRoleBinding', name })),
    ]),
    ...tracked,
  ];
  const byKey = new Map(found.filter((o) => allowed.has(`${o.group}/${o.kind}`)).map((o) => [`${o.group}/${o.kind}/${o.name}`, o]));
  return [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, o]) => o);
}

interface RoleRef {
  readonly kind: string;
  readonly name: string;
}

/**
 * `escalate` and `bind` on the roles the spoke's Applications create and bind, by name and
 * nothing else: creating a role that grants what the manager does not hold takes `escalate`
 * on it, binding one takes `bind` on it (RBAC's escalation check). ClusterRoles it creates,
 * and those ClusterRoleBindings refer to, cluster-wide; Roles, and the ClusterRoles a
 * RoleBinding refers to, only in the binding's namespace (`namespace`), where the check asks.
 */
function rbacGrants(spoke: RenderedCluster, namespace?: string) {
  const objects = spoke.parts.flatMap((p) => p.objects).filter((o) => (namespace ? o.metadata.namespace === namespace : !o.metadata.namespace));
  const refs = objects.filter((o) => o.kind === (namespace ? 'RoleBinding' : 'ClusterRoleBinding')).map((o) => (o as unknown as { roleRef: RoleRef }).roleRef);
  const releaseRoles = namespace ? [] : spoke.parts.flatMap((p) => p.release?.clusterRoles ?? []);
  const rule = (resource: string, verb: string, resourceNames: string[]) => (resourceNames.length ? [{ apiGroups: [rbacGroup], resources: [resource], verbs: [verb], resourceNames }] : []);
  const created = sorted([...objects.filter((o) => o.kind === (namespace ? 'Role' : 'ClusterRole')).map((o) => o.metadata.name), ...releaseRoles]);
  const referred = (kind: string) => refs.filter((r) => r.kind === kind).map((r) => r.name);
  const own = namespace ? 'roles' : 'clusterroles';
  return [
    ...rule(own, 'escalate', created),
    ...rule(own, 'bind', sorted([...created, ...referred(namespace ? 'Role' : 'ClusterRole')])),
    ...(namespace ? rule('clusterroles', 'bind', sorted(referred('ClusterRole'))) : []),
  ];
}

/** Cluster-scoped kinds: listed, watched and created freely; read, changed and deleted by name. */
function clusterRules(kinds: readonly GroupKind[], objects: readonly ClusterObject[]) {
  const byKind = kinds.map((k) => ({ ...k, names: sorted(objects.filter((o) => o.group === k.group && o.kind === k.kind).map((o) => o.name)) }));
  return [
    ...rules(kinds, ['list', 'watch', 'create']),
    ...byKind
      .filter((k) => k.names.length)
      .sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`))
      .map((k) => ({ apiGroups: [k.group], resources: [pluralOf(k.kind)], verbs: ['get', 'update', 'patch', 'delete'], resourceNames: k.names })),
  ];
}

/**
 * The ServiceAccount Argo CD deploys to a workloads cluster as, and what it may do there:
 * the namespaced kinds its AppProject allows, and reading what Argo CD shows of them (argocd-cm
 * sets resource.respectRBAC), through a Role in each namespace the AppProject names and
 * nowhere else (the cluster Secret tells Argo CD to watch only those); the cluster-scoped kinds
 * the AppProject allows through a ClusterRole, by name where a name can be judged
 * (clusterObjects). Those namespaces are made here, bare, so their Roles have somewhere to
 * live; the namespaces app sets their labels. What the roles it may create and bind grant is
 * as strong as what git asks for, so the AppProject and review are that boundary, as on the hub.
 */
export function managerObjects(spoke: RenderedCluster, tracked: readonly ClusterObject[] = []): Manifest[] {
  const spec = projectOf(spoke)['spec'] as { clusterResourceWhitelist: GroupKind[]; namespaceResourceWhitelist: GroupKind[] };
  const namespaced = spec.namespaceResourceWhitelist;
  const writable = new Set(namespaced.map((k) => `${k.group}/${k.kind}`));
  const labels = { [conventions.partOf.key]: conventions.partOf.value, [conventions.managedBy.key]: conventions.managedBy.bootstrap };
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
      rules: [...clusterRules(spec.clusterResourceWhitelist, clusterObjects(spoke, tracked)), ...rbacGrants(spoke)],
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
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: manager.name, namespace, labels }, rules: [...namespaceRules, ...rbacGrants(spoke, namespace)] },
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
    metadata: { name: `cluster-${name}`, namespace: argocdNamespace, labels: { [clusterSecretLabel]: 'cluster', [conventions.partOf.key]: conventions.partOf.value } },
    type: 'Opaque',
    // Argo CD watches namespaced kinds in these namespaces only, where the manager's Roles are,
    // and cluster-scoped kinds cluster-wide (util/db/cluster.go at our Argo CD pin).
    data: { name: b64(name), server: b64(server), config: b64(JSON.stringify(config)), namespaces: b64(namespaces.join(',')), clusterResources: b64('true') },
  };
}
