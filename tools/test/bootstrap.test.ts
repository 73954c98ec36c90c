import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { describe as describeObject, loadTopology, render, type Rendered } from '@kubevirt-ci/synth';
import { admit, applyForReal, client, crdsIn, installCrds, startCluster, whoIs as whoIsOn, type TestCluster } from '@kubevirt-ci/testcluster';
import { versions } from '@kubevirt-ci/topology';
import { crdSources, moduleDir } from '@kubevirt-ci/upstream';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { argocdInstallUrl, argocdObjects, readInstallManifest } from '../src/bootstrap/argocd.ts';
import { applicationsOf, clusterObjects, managedNamespaces, pluralOf } from '../src/bootstrap/clusters.ts';
import { bootstrap, type BootstrapOptions } from '../src/bootstrap/run.ts';
import { loadKubeConfig } from '../src/lib/kubeconfig.ts';
import { fakeClusterCa, startFakeApiServer, type FakeApiServer } from './fake-apiserver.ts';

const rendered: Rendered = render(await loadTopology());
const hubName = rendered.topology.hub.name;
/** The workloads clusters, in topology order: however many the roles declare. */
const spokes = rendered.topology.clusters.filter((c) => !c.hub).map((c) => c.name);
const buildClusters = rendered.topology.clusters.filter((c) => c.apps.some((e) => e.app.name === 'build-cluster')).map((c) => c.name);
/** The address the hub reaches each spoke at, as Argo CD would (nothing dials it here). */
const serverOf = (spoke: string) => `https://${spoke}-control-plane:6443`;
/** The pinned release's own install.yaml, from its Go module. */
const installYaml = join(moduleDir('github.com/argoproj/argo-cd/v3', versions.argocd), 'manifests/install.yaml');
const hubRendered = rendered.clusters.find((c) => c.cluster.hub)!;
const spokeOf = (name: string) => rendered.clusters.find((c) => c.cluster.name === name)!;
const installed = argocdObjects(hubRendered, await readInstallManifest(installYaml), rendered.topology.gitops.argocdNamespace);

/**
 * What the spoke's prometheus-operator Application deploys: the pinned release's bundle.yaml
 * (its kustomization.yaml's one resource), in the namespace its kustomize sets, as kustomize
 * sets it (the namespaced objects, and the ServiceAccount its ClusterRoleBinding names).
 */
function operatorRelease(spoke: string): { file: string; line: number; value: Record<string, unknown> }[] {
  const app = spokeOf(spoke).argo.find((m) => m.kind === 'Application' && m.metadata.name === `${spoke}-prometheus-operator`)!;
  const source = app['spec'] as { source: { targetRevision: string; kustomize: { namespace: string } } };
  const namespace = source.source.kustomize.namespace;
  const dir = moduleDir('github.com/prometheus-operator/prometheus-operator', source.source.targetRevision);
  return parseAllDocuments(readFileSync(join(dir, 'bundle.yaml'), 'utf8'))
    .map((d) => d.toJS() as (Record<string, unknown> & { kind: string; metadata: Record<string, unknown>; subjects?: { namespace?: string }[] }) | null)
    .filter((o) => o !== null)
    .map((o, i) => {
      const clusterScoped = ['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind);
      const value = { ...o, metadata: { ...o.metadata, ...(clusterScoped ? {} : { namespace }) }, ...(o.subjects ? { subjects: o.subjects.map((x) => ({ ...x, namespace })) } : {}) };
      return { file: `bundle.yaml object ${i}`, line: 1, value };
    });
}

/** Argo CD on the hub, then each spoke's manager account; `cluster` is each spoke's cluster Secret line. */
const expectedLines = (verb: string, cluster: (spoke: string) => string) => [
  `Argo CD ${versions.argocd} on ${hubName} (${installYaml})`,
  ...installed.map((o) => `  ${verb}${describeObject(o)}`),
  ...spokes.flatMap((spoke) => [
    `${spoke}: ServiceAccount kube-system/argocd-manager, registered in Argo CD at ${serverOf(spoke)}`,
    `  ${verb}ServiceAccount kube-system/argocd-manager`,
    `  ${verb}Secret kube-system/argocd-manager-token`,
    `  ${verb}ClusterRole argocd-manager`,
    `  ${verb}ClusterRoleBinding argocd-manager`,
    ...managedNamespaces(spokeOf(spoke)).flatMap((n) => [`  ${verb}Namespace ${n}`, `  ${verb}Role ${n}/argocd-manager`, `  ${verb}RoleBinding ${n}/argocd-manager`]),
    cluster(spoke),
  ]),
  `AppProjects and root Applications on ${hubName}`,
  `  ${verb}AppProject argocd/kubevirt-ci-roots`,
  ...[hubName, ...spokes].map((c) => `  ${verb}AppProject argocd/${c}`),
  ...[hubName, ...spokes].map((c) => `  ${verb}Application argocd/${c}-root`),
  `Prow's kubeconfig kubevirt-prow/kubeconfig: ${buildClusters.join(', ')}`,
];
/** Objects bootstrap writes: Argo CD's, five per spoke and three per namespace it deploys to, the roots' project, a project and a root per cluster, and Prow's kubeconfig. */
const objectCount = installed.length + spokes.reduce((n, s) => n + 5 + 3 * managedNamespaces(spokeOf(s)).length, 0) + 1 + 2 * rendered.topology.clusters.length + 1;

describe('bootstrap, on real API servers (packages/testcluster), one per cluster of the topology', () => {
  const clusters = new Map<string, TestCluster>();
  const kubeConfigs = new Map<string, KubeConfig>();
  let lines: string[] = [];
  beforeAll(async () => {
    for (const c of rendered.topology.clusters) {
      const tc = await startCluster({ name: c.name, progress: () => undefined });
      clusters.set(c.name, tc);
      kubeConfigs.set(c.name, loadKubeConfig(c.name, tc.kubeconfig));
    }
  });
  afterAll(async () => {
    for (const c of clusters.values()) await c.stop();
  });
  beforeEach(() => {
    lines = [];
  });

  const options = (extra: Partial<BootstrapOptions> = {}): BootstrapOptions => ({
    rendered,
    kubeConfigs,
    servers: new Map(spokes.map((s) => [s, serverOf(s)])),
    argocdManifest: installYaml,
    dryRun: false,
    waitSeconds: 30,
    pollMs: 100,
    log: (l) => lines.push(l),
    ...extra,
  });
  const api = (cluster: string) => clusters.get(cluster)!.admin;
  const get = async <T = { metadata: { resourceVersion: string }; data?: Record<string, string> }>(cluster: string, path: string) => {
    const r = await api(cluster).json<T>('GET', path);
    return r.status === 200 ? r.value : undefined;
  };
  const decoded = async (cluster: string, path: string, key: string) => Buffer.from((await get(cluster, path))!.data![key]!, 'base64').toString('utf8');
  const whoIs = (cluster: string, token: string) => whoIsOn(api(cluster), token);
  /** Whether the spoke's API server lets Argo CD's manager do this, by SubjectAccessReview. */
  const managerCan =
    (spoke: string) =>
    async (verb: string, resource: string, namespace = '', group = '', name = '') =>
      (
        await api(spoke).json<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: { user: 'system:serviceaccount:kube-system:argocd-manager', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'], resourceAttributes: { verb, resource, namespace, group, name } },
        })
      ).value.status.allowed;
  /** The resourceVersion of every object bootstrap writes, as the servers keep them. */
  const written = () =>
    Promise.all([
      ...spokes.flatMap((s) => ['/api/v1/namespaces/kube-system/serviceaccounts/argocd-manager', '/apis/rbac.authorization.k8s.io/v1/clusterroles/argocd-manager'].map((p) => get(s, p).then((o) => o?.metadata.resourceVersion))),
      ...['/api/v1/namespaces/argocd/configmaps/argocd-cm', '/apis/argoproj.io/v1alpha1/namespaces/argocd/appprojects/kubevirt-ci-roots', '/api/v1/namespaces/kubevirt-prow/secrets/kubeconfig', ...spokes.map((s) => `/api/v1/namespaces/argocd/secrets/cluster-${s}`)].map((p) =>
        get(hubName, p).then((o) => o?.metadata.resourceVersion),
      ),
    ]);

  it('is tested on the topology of this repository, whatever clusters it has', () => {
    expect([hubName, spokes.includes('prow-workloads'), buildClusters.includes('prow-workloads')]).toEqual(['ibm-prow-jobs', true, true]);
    expect(installed.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name)).toEqual(['applications.argoproj.io', 'applicationsets.argoproj.io', 'appprojects.argoproj.io']);
  });

  it('says in a dry run what it would do on empty clusters, and what the servers could not judge yet, storing nothing', async () => {
    const tally = await bootstrap(options({ dryRun: true }));
    // What an empty cluster cannot judge: objects in a namespace other than kube-system, and
    // Argo CD's kinds, whose CRDs this same dry run would only create.
    const notThere = (line: string) => /^ {2}would create {4}(\S+) (\S+)$/.exec(line);
    const unchecked = (line: string) => {
      const m = notThere(line);
      if (!m) return line;
      const [kind, ref] = [m[1]!, m[2]!];
      const inNamespace = ref.includes('/') && !ref.startsWith('kube-system/');
      return inNamespace || ['Application', 'AppProject'].includes(kind) ? `${line} (not checked by the server: its namespace or kind is not there yet)` : line;
    };
    expect(lines).toEqual([
      ...expectedLines('would create    ', (spoke) => `  would create    Secret argocd/cluster-${spoke} (once the token exists)`).map(unchecked),
      `  would create    Secret kubevirt-prow/kubeconfig (once Argo CD has synced build-cluster on ${buildClusters.join(', ')})`,
    ]);
    expect(lines.filter((l) => l.endsWith('not there yet)')).length).toBeGreaterThan(10);
    // Everything but the spokes' cluster Secrets and Prow's kubeconfig, which need tokens first.
    expect(tally.created).toBe(objectCount - spokes.length - 1);
    expect(await get(hubName, '/api/v1/namespaces/argocd')).toBeUndefined();
    for (const spoke of spokes) expect(await get(spoke, '/api/v1/namespaces/kube-system/serviceaccounts/argocd-manager')).toBeUndefined();
  });

  it("stops with what to do when Argo CD has not created the build clusters' tokens in time", async () => {
    await expect(bootstrap(options({ waitSeconds: 1 }))).rejects.toThrow(
      `Secret kubevirt-prow-jobs/prow-control-plane-token did not appear on ${buildClusters.join(', ')} within 1s; Argo CD creates it when it syncs the build-cluster Application. See \`pnpm status\`, then run bootstrap again (it is safe to repeat).`,
    );
  });

  it('installs Argo CD, registers the workloads clusters, applies projects and roots and writes Prow’s kubeconfig', async () => {
    // What Argo CD does when it syncs: the rendered namespaces and build-cluster objects,
    // applied for real; each cluster's token controller then fills prow-control-plane-token.
    for (const name of buildClusters) {
      const rc = rendered.clusters.find((c) => c.cluster.name === name)!;
      await applyForReal(api(name), rc.parts.filter((p) => p.name === 'namespaces' || p.app === 'build-cluster').flatMap((p) => p.objects), { manager: 'argocd-controller' });
    }
    const tally = await bootstrap(options());
    // The run before stopped at Prow's kubeconfig: everything else is in place already.
    expect(lines).toEqual([...expectedLines('unchanged       ', (spoke) => `  unchanged       Secret argocd/cluster-${spoke}`), '  created         Secret kubevirt-prow/kubeconfig']);
    expect(tally).toEqual({ created: 1, configured: 0, unchanged: objectCount - 1 });

    // argocd-cm: the release's data kept, ours merged in, in Argo CD's namespace.
    const cm = (await get<{ data: Record<string, string> }>(hubName, '/api/v1/namespaces/argocd/configmaps/argocd-cm'))!;
    const releaseCm = installed.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'argocd-cm')!;
    expect(Object.keys(releaseCm['data'] as object)).toContain('resource.exclusions');
    expect(Object.keys(cm.data).sort()).toEqual(Object.keys(releaseCm['data'] as object).sort());
    expect(Object.keys(cm.data)).toEqual(expect.arrayContaining(['resource.customizations.health.argoproj.io_Application', 'resource.respectRBAC']));

    for (const spoke of spokes) {
      // The cluster Secret: the name Applications use as destination, the address the hub reaches, the manager's token.
      const path = `/api/v1/namespaces/argocd/secrets/cluster-${spoke}`;
      const secret = (await get<{ metadata: { labels: Record<string, string> } }>(hubName, path))!;
      expect(secret.metadata.labels['argocd.argoproj.io/secret-type']).toBe('cluster');
      expect([await decoded(hubName, path, 'name'), await decoded(hubName, path, 'server')]).toEqual([spoke, serverOf(spoke)]);
      const config = JSON.parse(await decoded(hubName, path, 'config')) as { bearerToken: string; tlsClientConfig: { insecure: boolean; caData: string } };
      expect(await whoIs(spoke, config.bearerToken)).toBe('system:serviceaccount:kube-system:argocd-manager');
      expect(config.tlsClientConfig).toEqual({ insecure: false, caData: readFileSync(clusters.get(spoke)!.caCert).toString('base64') });

      // Argo CD watches only the namespaces the manager may write.
      expect(await decoded(hubName, path, 'namespaces')).toBe(managedNamespaces(spokeOf(spoke)).join(','));
      expect(await decoded(hubName, path, 'clusterResources')).toBe('true');

      // In each of them, the manager may write exactly what the spoke's AppProject allows, and read the children Argo CD shows.
      const role = (await get<{ rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }>(spoke, '/apis/rbac.authorization.k8s.io/v1/namespaces/monitoring/roles/argocd-manager'))!;
      const monitoring = role.rules.find((r) => r.apiGroups[0] === 'monitoring.coreos.com' && r.verbs.includes('create'));
      expect(monitoring?.resources).toEqual(['alertmanagerconfigs', 'alertmanagers', 'prometheuses', 'prometheusrules', 'servicemonitors']);
      expect(role.rules.find((r) => r.apiGroups[0] === '' && !r.verbs.includes('create'))).toEqual({ apiGroups: [''], resources: ['endpoints', 'events', 'pods'], verbs: ['get', 'list', 'watch'] });
      const clusterRole = (await get<{ rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }>(spoke, '/apis/rbac.authorization.k8s.io/v1/clusterroles/argocd-manager'))!;
      expect([...role.rules, ...clusterRole.rules].flatMap((r) => [...r.resources, ...r.apiGroups, ...r.verbs])).not.toContain('*');
    }

    // Prow's kubeconfig: one context per build cluster, the hub's in-cluster, each with the token the cluster issued Prow.
    const kubeconfig = parse(await decoded(hubName, '/api/v1/namespaces/kubevirt-prow/secrets/kubeconfig', 'config')) as { clusters: { name: string; cluster: { server: string } }[]; users: { name: string; user: { token: string } }[] };
    expect(kubeconfig.clusters.map((c) => [c.name, c.cluster.server])).toEqual(buildClusters.map((c) => [c, c === hubName ? 'https://kubernetes.default.svc' : serverOf(c)]));
    expect(await Promise.all(kubeconfig.users.map((u, i) => whoIs(buildClusters[i]!, u.user.token)))).toEqual(buildClusters.map(() => 'system:serviceaccount:kubevirt-prow-jobs:prow-control-plane'));
    expect(lines.join('\n')).not.toContain(kubeconfig.users[0]!.user.token);
  });

  it("lets Argo CD's manager apply every object the spoke renders, and no more than the API server's own authorization says here", async () => {
    for (const spoke of spokes) {
      const token = Buffer.from((await get(spoke, '/api/v1/namespaces/kube-system/secrets/argocd-manager-token'))!.data!['token']!, 'base64').toString();
      const asManager = client({ server: clusters.get(spoke)!.server, caCert: clusters.get(spoke)!.caCert, token });
      // Every object of the spoke's Applications, its upstream release's too, dry-run applied
      // as the manager, after the upstream CRDs; pods are made by controllers, not by Argo CD.
      const rendered = spokeOf(spoke).parts.flatMap((p) => p.objects).map((value, i) => ({ file: `object ${i}`, line: 1, value: value as unknown as Record<string, unknown> }));
      const objects = [...rendered, ...operatorRelease(spoke)];
      // The release declares every cluster-scoped object its bundle creates, so the manager may change it by name.
      const named = new Set(clusterObjects(spokeOf(spoke)).map((o) => `${o.kind} ${o.name}`));
      const bundled = operatorRelease(spoke).filter((o) => !(o.value['metadata'] as { namespace?: string }).namespace).map((o) => `${o.value['kind']} ${(o.value['metadata'] as { name: string }).name}`);
      expect(bundled.length).toBe(12);
      expect(bundled.filter((o) => !named.has(o))).toEqual([]);
      // The pinned CRDs, installed by the cluster's admin: the manager may change only the spoke's own by name.
      await installCrds(api(spoke), crdsIn(crdSources(versions).map((c) => join(moduleDir(c.module, c.version), c.path))));
      const r = await admit(asManager, objects, { crds: [], pods: false });
      expect(r.findings.map((f) => `${f.object?.kind} ${f.object?.name}: ${f.message}`)).toEqual([]);
      expect(r.admitted).toBe(objects.filter((o) => o.value['kind'] !== 'Namespace').length);

      // What else it can do, by SubjectAccessReview.
      const can = managerCan(spoke);
      const asked = {
        'create deployments in monitoring': await can('create', 'deployments', 'monitoring', 'apps'),
        'delete secrets in kubevirt-prow-jobs': await can('delete', 'secrets', 'kubevirt-prow-jobs'),
        'create namespaces': await can('create', 'namespaces'),
        'get secrets in kube-system': await can('get', 'secrets', 'kube-system'),
        'list secrets in every namespace': await can('list', 'secrets'),
        'create deployments in default': await can('create', 'deployments', 'default', 'apps'),
        'create pods in monitoring': await can('create', 'pods', 'monitoring'),
        'delete nodes': await can('delete', 'nodes'),
        'escalate ClusterRole prometheus-operator': await can('escalate', 'clusterroles', '', 'rbac.authorization.k8s.io', 'prometheus-operator'),
        'escalate ClusterRole admin': await can('escalate', 'clusterroles', '', 'rbac.authorization.k8s.io', 'admin'),
        'bind ClusterRole admin': await can('bind', 'clusterroles', '', 'rbac.authorization.k8s.io', 'admin'),
        'bind ClusterRole cluster-admin': await can('bind', 'clusterroles', '', 'rbac.authorization.k8s.io', 'cluster-admin'),
        'escalate ClusterRole cluster-admin': await can('escalate', 'clusterroles', '', 'rbac.authorization.k8s.io', 'cluster-admin'),
        'bind ClusterRole admin in kubevirt-prow-jobs': await can('bind', 'clusterroles', 'kubevirt-prow-jobs', 'rbac.authorization.k8s.io', 'admin'),
        'bind ClusterRole admin in monitoring': await can('bind', 'clusterroles', 'monitoring', 'rbac.authorization.k8s.io', 'admin'),
        'escalate Role terminating-pod-cleanup in kubevirt-prow-jobs': await can('escalate', 'roles', 'kubevirt-prow-jobs', 'rbac.authorization.k8s.io', 'terminating-pod-cleanup'),
        'escalate Role terminating-pod-cleanup in monitoring': await can('escalate', 'roles', 'monitoring', 'rbac.authorization.k8s.io', 'terminating-pod-cleanup'),
        'list ClusterRoles': await can('list', 'clusterroles', '', 'rbac.authorization.k8s.io'),
        'delete ClusterRole monitoring-prometheus': await can('delete', 'clusterroles', '', 'rbac.authorization.k8s.io', 'monitoring-prometheus'),
        'delete ClusterRole admin': await can('delete', 'clusterroles', '', 'rbac.authorization.k8s.io', 'admin'),
        'update ClusterRoleBinding prometheus-operator': await can('update', 'clusterrolebindings', '', 'rbac.authorization.k8s.io', 'prometheus-operator'),
        'update ClusterRoleBinding system:node-proxier': await can('update', 'clusterrolebindings', '', 'rbac.authorization.k8s.io', 'system:node-proxier'),
        'patch CRD prometheuses.monitoring.coreos.com': await can('patch', 'customresourcedefinitions', '', 'apiextensions.k8s.io', 'prometheuses.monitoring.coreos.com'),
        'delete CRD certificates.cert-manager.io': await can('delete', 'customresourcedefinitions', '', 'apiextensions.k8s.io', 'certificates.cert-manager.io'),
        'delete Namespace monitoring': await can('delete', 'namespaces', '', '', 'monitoring'),
        'delete Namespace kube-system': await can('delete', 'namespaces', '', '', 'kube-system'),
      };
      expect(asked).toEqual({
        'create deployments in monitoring': true,
        'delete secrets in kubevirt-prow-jobs': true,
        'create namespaces': true,
        'get secrets in kube-system': false,
        'list secrets in every namespace': false,
        'create deployments in default': false,
        'create pods in monitoring': false,
        'delete nodes': false,
        // The release's role and ours it may grant beyond itself; the built-in ones it may not.
        'escalate ClusterRole prometheus-operator': true,
        'escalate ClusterRole admin': false,
        // Prow's RoleBinding in the jobs namespace refers to admin: there, and only there, it may bind admin.
        'bind ClusterRole admin': false,
        'bind ClusterRole cluster-admin': false,
        'escalate ClusterRole cluster-admin': false,
        'bind ClusterRole admin in kubevirt-prow-jobs': true,
        'bind ClusterRole admin in monitoring': false,
        'escalate Role terminating-pod-cleanup in kubevirt-prow-jobs': true,
        'escalate Role terminating-pod-cleanup in monitoring': false,
        // Cluster-scoped kinds: listed freely, changed by name, the spoke's own names only.
        'list ClusterRoles': true,
        'delete ClusterRole monitoring-prometheus': true,
        'delete ClusterRole admin': false,
        'update ClusterRoleBinding prometheus-operator': true,
        'update ClusterRoleBinding system:node-proxier': false,
        'patch CRD prometheuses.monitoring.coreos.com': true,
        'delete CRD certificates.cert-manager.io': false,
        'delete Namespace monitoring': true,
        'delete Namespace kube-system': false,
      });
    }
  });

  it('changes nothing on a second run, by the servers’ own resource versions', async () => {
    const before = await written();
    expect(before.every((v) => v !== undefined)).toBe(true);
    const tally = await bootstrap(options());
    expect(tally).toEqual({ created: 0, configured: 0, unchanged: objectCount });
    expect(lines.filter((l) => l.startsWith('  ')).every((l) => l.startsWith('  unchanged'))).toBe(true);
    expect(await written()).toEqual(before);
  });

  it('keeps the right to delete what Argo CD deployed for the spoke after git drops it, so that Argo CD can prune it', async () => {
    const spoke = spokes[0]!;
    const app = `${spoke}-prometheus`;
    const role = (name: string, annotations: Record<string, string>) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, annotations }, rules: [] });
    const path = (name: string) => `/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`;
    const deletable = async () => Promise.all(['dropped-from-git', 'never-argo-cd'].map((name) => managerCan(spoke)('delete', 'clusterroles', '', 'rbac.authorization.k8s.io', name)));
    expect(applicationsOf(spokeOf(spoke))).toContain(app);
    await api(spoke).json('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', role('dropped-from-git', { 'argocd.argoproj.io/tracking-id': `${app}:rbac.authorization.k8s.io/ClusterRole:/dropped-from-git` }));
    await api(spoke).json('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', role('never-argo-cd', { 'argocd.argoproj.io/tracking-id': `someone-else:rbac.authorization.k8s.io/ClusterRole:/never-argo-cd` }));
    try {
      await bootstrap(options());
      expect(lines).toContain('  configured      ClusterRole argocd-manager');
      expect(await deletable()).toEqual([true, false]);
    } finally {
      for (const name of ['dropped-from-git', 'never-argo-cd']) await api(spoke).request('DELETE', path(name));
    }
    // Once it is gone, the next run takes the name back.
    await bootstrap(options());
    expect(await deletable()).toEqual([false, false]);
  });

  it('reports a change it would make to an existing cluster, and applies nothing', async () => {
    const before = await written();
    const moved = spokes[0]!;
    await bootstrap(options({ dryRun: true, servers: new Map(spokes.map((s) => [s, s === moved ? 'https://10.0.0.5:6443' : serverOf(s)])) }));
    // The moved spoke is a build cluster too, so Prow's kubeconfig would change with it.
    expect(buildClusters).toContain(moved);
    expect(lines.filter((l) => l.startsWith('  would'))).toEqual([`  would configure Secret argocd/cluster-${moved}`, '  would configure Secret kubevirt-prow/kubeconfig']);
    expect(await written()).toEqual(before);
  });

  it("stops with what to do when a binding's roleRef, which cannot change, is not the manager's", async () => {
    const spoke = spokes[0]!;
    const path = '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/argocd-manager';
    await api(spoke).request('DELETE', path);
    await api(spoke).json('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'argocd-manager' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'argocd-manager', namespace: 'kube-system' }],
    });
    try {
      await expect(bootstrap(options())).rejects.toThrow(
        'applying ClusterRoleBinding argocd-manager: the API server refuses it: ClusterRoleBinding.rbac.authorization.k8s.io "argocd-manager" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"argocd-manager"}: cannot change roleRef; a roleRef cannot change in place: delete ClusterRoleBinding argocd-manager (kubectl delete), then run bootstrap again',
      );
    } finally {
      await api(spoke).request('DELETE', path);
    }
  });

  it('names the install manifest it cannot read, and what to pass instead', async () => {
    const missing = join(tmpdir(), 'no-such-install.yaml');
    await expect(bootstrap(options({ argocdManifest: missing }))).rejects.toThrow(
      `cannot read Argo CD's install manifest ${missing}: ENOENT: no such file or directory, open '${missing}'; pass --argocd-manifest with a reachable URL or a local copy of the release's install.yaml`,
    );
    expect(argocdInstallUrl('v3.4.2')).toBe('https://raw.githubusercontent.com/argoproj/argo-cd/v3.4.2/manifests/install.yaml');
  });

  it('names resources by the plural rules', () => {
    expect(['Prometheus', 'NetworkPolicy', 'Ingress', 'Deployment'].map(pluralOf)).toEqual(['prometheuses', 'networkpolicies', 'ingresses', 'deployments']);
  });
});

// The one case kept on the fake API server: the test must make the namespace appear right
// after bootstrap's first refused attempt, and only the fake can say when that attempt came.
describe('bootstrap, on the fake API server', () => {
  const crd = (kind: string, plural: string) =>
    `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${plural}.argoproj.io\nspec:\n  group: argoproj.io\n  scope: Namespaced\n  names: {kind: ${kind}, plural: ${plural}}\n  versions: [{name: v1alpha1, served: true, storage: true}]`;
  const standIn = [
    crd('Application', 'applications'),
    crd('AppProject', 'appprojects'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  labels: {app.kubernetes.io/part-of: argocd}\ndata:\n  upstream.setting: kept',
  ].join('\n---\n');
  let dir: string;
  let apis: Map<string, FakeApiServer>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bootstrap-'));
    writeFileSync(join(dir, 'install.yaml'), standIn);
    apis = new Map();
    for (const c of rendered.topology.clusters) apis.set(c.name, await startFakeApiServer(c.name, { checkNamespaces: true }));
    for (const spoke of spokes) apis.get(spoke)!.objects.set('namespaces/kube-system', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  });
  afterEach(async () => {
    for (const api of apis.values()) await api.close();
    rmSync(dir, { recursive: true });
  });

  it("waits for the namespace of Prow's kubeconfig, which Argo CD creates", async () => {
    const hub = apis.get(hubName)!;
    for (const name of buildClusters) {
      apis.get(name)!.objects.set('secrets/kubevirt-prow-jobs/prow-control-plane-token', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'prow-control-plane-token', namespace: 'kubevirt-prow-jobs' },
        data: { token: Buffer.from(`prow-token-of-${name}`).toString('base64'), 'ca.crt': Buffer.from(fakeClusterCa).toString('base64') },
      });
    }
    // Argo CD creates the namespace only after bootstrap's first attempt has been refused.
    const attempt = 'PATCH /api/v1/namespaces/kubevirt-prow/secrets/kubeconfig';
    const argocd = setInterval(() => {
      if (!hub.requests.includes(attempt)) return;
      hub.objects.set('namespaces/kubevirt-prow', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kubevirt-prow' } });
      clearInterval(argocd);
    }, 5);
    const lines: string[] = [];
    await bootstrap({
      rendered,
      kubeConfigs: new Map([...apis].map(([name, api]) => [name, api.kubeConfig])),
      servers: new Map(spokes.map((s) => [s, serverOf(s)])),
      argocdManifest: join(dir, 'install.yaml'),
      dryRun: false,
      waitSeconds: 5,
      pollMs: 10,
      log: (l) => lines.push(l),
    });
    clearInterval(argocd);
    expect(lines.at(-1)).toBe('  created         Secret kubevirt-prow/kubeconfig');
    expect(hub.requests.filter((r) => r === attempt).length).toBeGreaterThan(1);
  });
});
