import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology, render, type Rendered } from '@kubevirt-ci/synth';
import { versions } from '@kubevirt-ci/topology';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { argocdInstallUrl } from '../src/bootstrap/argocd.ts';
import { pluralOf } from '../src/bootstrap/clusters.ts';
import { bootstrap, type BootstrapOptions } from '../src/bootstrap/run.ts';
import { fakeClusterCa, startFakeApiServer, type FakeApiServer } from './fake-apiserver.ts';

/** A stand-in for the release's install.yaml: its CRDs, the ConfigMap we patch, and a few objects. */
const crd = (kind: string, plural: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.argoproj.io
spec:
  group: argoproj.io
  scope: Namespaced
  names: {kind: ${kind}, plural: ${plural}}
  versions: [{name: v1alpha1, served: true, storage: true}]`;
const installYaml = [
  crd('Application', 'applications'),
  crd('AppProject', 'appprojects'),
  'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: argocd-application-controller',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  labels: {app.kubernetes.io/part-of: argocd}\ndata:\n  upstream.setting: kept',
  'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: argocd-application-controller\nrules: []',
].join('\n---\n');

const rendered: Rendered = render(await loadTopology());
const hubName = rendered.topology.hub.name;
/** The workloads clusters, in topology order: however many the roles declare. */
const spokes = rendered.topology.clusters.filter((c) => !c.hub).map((c) => c.name);
const buildClusters = rendered.topology.clusters.filter((c) => c.apps.some((e) => e.app.name === 'build-cluster')).map((c) => c.name);
const serverOf = (spoke: string) => `https://${spoke}-control-plane:6443`;

let dir: string;
/** One fake API server per cluster of the topology, by cluster name. */
let apis: Map<string, FakeApiServer>;
let hub: FakeApiServer;
let lines: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bootstrap-'));
  writeFileSync(join(dir, 'install.yaml'), installYaml);
});
afterAll(() => rmSync(dir, { recursive: true }));

beforeEach(async () => {
  apis = new Map();
  for (const c of rendered.topology.clusters) apis.set(c.name, await startFakeApiServer(c.name, { checkNamespaces: true }));
  hub = apis.get(hubName)!;
  for (const spoke of spokes) apis.get(spoke)!.objects.set('namespaces/kube-system', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  lines = [];
});
afterEach(async () => {
  for (const api of apis.values()) await api.close();
});

function options(extra: Partial<BootstrapOptions> = {}): BootstrapOptions {
  return {
    rendered,
    kubeConfigs: new Map([...apis].map(([name, api]) => [name, api.kubeConfig])),
    servers: new Map(spokes.map((s) => [s, serverOf(s)])),
    argocdManifest: join(dir, 'install.yaml'),
    dryRun: false,
    waitSeconds: 5,
    pollMs: 10,
    log: (l) => lines.push(l),
    ...extra,
  };
}

/** What Argo CD does once it syncs build-cluster: the Prow namespace, and each build cluster's token. */
function argocdSynced() {
  hub.objects.set('namespaces/kubevirt-prow', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kubevirt-prow' } });
  for (const name of buildClusters) {
    apis.get(name)!.objects.set('secrets/kubevirt-prow-jobs/prow-control-plane-token', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'prow-control-plane-token', namespace: 'kubevirt-prow-jobs' },
      data: { token: Buffer.from(`prow-token-of-${name}`).toString('base64'), 'ca.crt': Buffer.from(fakeClusterCa).toString('base64') },
    });
  }
}

const decoded = (api: FakeApiServer, key: string, field: string) => Buffer.from((api.objects.get(key)!['data'] as Record<string, string>)[field]!, 'base64').toString('utf8');
const snapshot = () => [...apis.values()].map((api) => new Map(api.objects));

/** Argo CD on the hub, then each spoke's manager account; `cluster` is each spoke's cluster Secret line. */
const expectedLines = (created: string, cluster: (spoke: string) => string) => [
  `Argo CD ${versions.argocd} on ${hubName} (${join(dir, 'install.yaml')})`,
  `  ${created}Namespace argocd`,
  `  ${created}CustomResourceDefinition applications.argoproj.io`,
  `  ${created}CustomResourceDefinition appprojects.argoproj.io`,
  `  ${created}ServiceAccount argocd/argocd-application-controller`,
  `  ${created}ConfigMap argocd/argocd-cm`,
  `  ${created}ClusterRole argocd-application-controller`,
  ...spokes.flatMap((spoke) => [
    `${spoke}: ServiceAccount kube-system/argocd-manager, registered in Argo CD at ${serverOf(spoke)}`,
    `  ${created}ServiceAccount kube-system/argocd-manager`,
    `  ${created}Secret kube-system/argocd-manager-token`,
    `  ${created}ClusterRole argocd-manager`,
    `  ${created}ClusterRoleBinding argocd-manager`,
    cluster(spoke),
  ]),
  `AppProjects and root Applications on ${hubName}`,
  `  ${created}AppProject argocd/kubevirt-ci-roots`,
  ...[hubName, ...spokes].map((c) => `  ${created}AppProject argocd/${c}`),
  ...[hubName, ...spokes].map((c) => `  ${created}Application argocd/${c}-root`),
  `Prow's kubeconfig kubevirt-prow/kubeconfig: ${buildClusters.join(', ')}`,
];
/** Objects bootstrap writes: Argo CD's six, five per spoke, the roots' project, a project and a root per cluster, and Prow's kubeconfig. */
const objectCount = 6 + 5 * spokes.length + 1 + 2 * rendered.topology.clusters.length + 1;

describe('bootstrap', () => {
  it('is tested on the topology of this repository, whatever clusters it has', () => {
    expect([hubName, spokes.includes('prow-workloads'), buildClusters.includes('prow-workloads')]).toEqual(['ibm-prow-jobs', true, true]);
  });

  it('installs Argo CD, registers the workloads clusters, applies projects and roots and writes Prow’s kubeconfig', async () => {
    argocdSynced();
    const tally = await bootstrap(options());
    expect(lines).toEqual([...expectedLines('created         ', (spoke) => `  created         Secret argocd/cluster-${spoke}`), '  created         Secret kubevirt-prow/kubeconfig']);
    expect(tally).toEqual({ created: objectCount, configured: 0, unchanged: 0 });

    // argocd-cm: upstream's data kept, ours merged in, in Argo CD's namespace.
    const cm = hub.objects.get('configmaps/argocd/argocd-cm')!;
    expect(Object.keys(cm['data'] as object).sort()).toEqual(['resource.customizations.health.argoproj.io_Application', 'resource.respectRBAC', 'upstream.setting']);

    for (const spoke of spokes) {
      // The cluster Secret: the name Applications use as destination, the address the hub reaches, the manager's token.
      const secret = `secrets/argocd/cluster-${spoke}`;
      expect((hub.objects.get(secret)!['metadata'] as { labels: Record<string, string> }).labels['argocd.argoproj.io/secret-type']).toBe('cluster');
      expect([decoded(hub, secret, 'name'), decoded(hub, secret, 'server')]).toEqual([spoke, serverOf(spoke)]);
      expect(JSON.parse(decoded(hub, secret, 'config'))).toEqual({
        bearerToken: 'token-for-argocd-manager',
        tlsClientConfig: { insecure: false, caData: Buffer.from(fakeClusterCa).toString('base64') },
      });

      // The manager may write exactly what the spoke's AppProject allows, and read the children Argo CD shows.
      const role = apis.get(spoke)!.objects.get('clusterroles/argocd-manager')! as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
      const monitoring = role.rules.find((r) => r.apiGroups[0] === 'monitoring.coreos.com' && r.verbs.includes('create'));
      expect(monitoring?.resources).toEqual(['alertmanagerconfigs', 'alertmanagers', 'prometheuses', 'prometheusrules', 'servicemonitors']);
      expect(role.rules.find((r) => r.apiGroups[0] === '' && !r.verbs.includes('create'))).toEqual({ apiGroups: [''], resources: ['endpoints', 'events', 'pods'], verbs: ['get', 'list', 'watch'] });
      expect(role.rules.flatMap((r) => r.resources)).not.toContain('*');
    }

    // Prow's kubeconfig: one context per build cluster, the hub's in-cluster.
    const kubeconfig = parse(decoded(hub, 'secrets/kubevirt-prow/kubeconfig', 'config')) as { clusters: { name: string; cluster: { server: string } }[]; users: { name: string; user: { token: string } }[] };
    expect(kubeconfig.clusters.map((c) => [c.name, c.cluster.server])).toEqual(buildClusters.map((c) => [c, c === hubName ? 'https://kubernetes.default.svc' : serverOf(c)]));
    expect(kubeconfig.users.map((u) => u.user.token)).toEqual(buildClusters.map((c) => `prow-token-of-${c}`));
    expect(lines.join('\n')).not.toContain('token-for-argocd-manager');
  });

  it('changes nothing on a second run', async () => {
    argocdSynced();
    await bootstrap(options());
    const before = snapshot();
    lines = [];
    const tally = await bootstrap(options());
    expect(tally).toEqual({ created: 0, configured: 0, unchanged: objectCount });
    expect(lines.filter((l) => l.startsWith('  ')).every((l) => l.startsWith('  unchanged'))).toBe(true);
    expect(snapshot()).toEqual(before);
  });

  it('says in a dry run what it would do on empty clusters, storing nothing', async () => {
    const tally = await bootstrap(options({ dryRun: true }));
    expect(lines).toEqual([
      ...expectedLines('would create    ', (spoke) => `  would create    Secret argocd/cluster-${spoke} (once the token exists)`),
      `  would create    Secret kubevirt-prow/kubeconfig (once Argo CD has synced build-cluster on ${buildClusters.join(', ')})`,
    ]);
    // Everything but the spokes' cluster Secrets and Prow's kubeconfig, which need tokens first.
    expect(tally.created).toBe(objectCount - spokes.length - 1);
    expect([...hub.objects.keys()]).toEqual([]);
    for (const spoke of spokes) expect([...apis.get(spoke)!.objects.keys()]).toEqual(['namespaces/kube-system']);
    expect(hub.requests.filter((r) => r.startsWith('PATCH') && !r.endsWith('?dryRun=All'))).toEqual([]);
  });

  it('reports a change it would make to an existing cluster, and applies nothing', async () => {
    argocdSynced();
    await bootstrap(options());
    const before = new Map(hub.objects);
    lines = [];
    const moved = spokes[0]!;
    await bootstrap(options({ dryRun: true, servers: new Map(spokes.map((s) => [s, s === moved ? 'https://10.0.0.5:6443' : serverOf(s)])) }));
    expect(lines.filter((l) => l.startsWith('  would'))).toEqual([`  would configure Secret argocd/cluster-${moved}`, '  would configure Secret kubevirt-prow/kubeconfig']);
    expect(hub.objects).toEqual(before);
  });

  it("waits for the namespace of Prow's kubeconfig, which Argo CD creates", async () => {
    argocdSynced();
    hub.objects.delete('namespaces/kubevirt-prow');
    // Argo CD creates the namespace only after bootstrap's first attempt has been refused.
    const attempt = 'PATCH /api/v1/namespaces/kubevirt-prow/secrets/kubeconfig';
    const argocd = setInterval(() => {
      if (!hub.requests.includes(attempt)) return;
      hub.objects.set('namespaces/kubevirt-prow', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kubevirt-prow' } });
      clearInterval(argocd);
    }, 5);
    await bootstrap(options());
    clearInterval(argocd);
    expect(lines.at(-1)).toBe('  created         Secret kubevirt-prow/kubeconfig');
    expect(hub.requests.filter((r) => r === attempt).length).toBeGreaterThan(1);
  });

  it("stops with what to do when Argo CD has not created the build clusters' tokens in time", async () => {
    await expect(bootstrap(options({ waitSeconds: 0.05 }))).rejects.toThrow(
      `Secret kubevirt-prow-jobs/prow-control-plane-token did not appear on ${buildClusters.join(', ')} within 0.05s; Argo CD creates it when it syncs the build-cluster Application. See \`pnpm status\`, then run bootstrap again (it is safe to repeat).`,
    );
  });

  it('names the install manifest it cannot read, and what to pass instead', async () => {
    await expect(bootstrap(options({ argocdManifest: join(dir, 'missing.yaml') }))).rejects.toThrow(
      `cannot read Argo CD's install manifest ${join(dir, 'missing.yaml')}: ENOENT: no such file or directory, open '${join(dir, 'missing.yaml')}'; pass --argocd-manifest with a reachable URL or a local copy of the release's install.yaml`,
    );
    expect(argocdInstallUrl('v3.4.2')).toBe('https://raw.githubusercontent.com/argoproj/argo-cd/v3.4.2/manifests/install.yaml');
  });

  it('names resources by the plural rules', () => {
    expect(['Prometheus', 'NetworkPolicy', 'Ingress', 'Deployment'].map(pluralOf)).toEqual(['prometheuses', 'networkpolicies', 'ingresses', 'deployments']);
  });
});
