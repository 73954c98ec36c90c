import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology, render, type Rendered } from '@kubevirt-ci/synth';
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

let rendered: Rendered;
let dir: string;
let hub: FakeApiServer;
let spoke: FakeApiServer;
let lines: string[];

beforeAll(async () => {
  rendered = render(await loadTopology());
  dir = mkdtempSync(join(tmpdir(), 'bootstrap-'));
  writeFileSync(join(dir, 'install.yaml'), installYaml);
});
afterAll(() => rmSync(dir, { recursive: true }));

beforeEach(async () => {
  hub = await startFakeApiServer('ibm-prow-jobs', { checkNamespaces: true });
  spoke = await startFakeApiServer('prow-workloads', { checkNamespaces: true });
  spoke.objects.set('namespaces/kube-system', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  lines = [];
});
afterEach(async () => {
  await hub.close();
  await spoke.close();
});

function options(extra: Partial<BootstrapOptions> = {}): BootstrapOptions {
  return {
    rendered,
    kubeConfigs: new Map([
      ['ibm-prow-jobs', hub.kubeConfig],
      ['prow-workloads', spoke.kubeConfig],
    ]),
    servers: new Map([['prow-workloads', 'https://prow-workloads-control-plane:6443']]),
    argocdManifest: join(dir, 'install.yaml'),
    dryRun: false,
    waitSeconds: 5,
    pollMs: 10,
    log: (l) => lines.push(l),
    ...extra,
  };
}

/** What Argo CD does once it syncs build-cluster: the Prow namespace, and each cluster's token. */
function argocdSynced() {
  hub.objects.set('namespaces/kubevirt-prow', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kubevirt-prow' } });
  for (const api of [hub, spoke]) {
    api.objects.set('secrets/kubevirt-prow-jobs/prow-control-plane-token', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'prow-control-plane-token', namespace: 'kubevirt-prow-jobs' },
      data: { token: Buffer.from(`prow-token-of-${api === hub ? 'hub' : 'spoke'}`).toString('base64'), 'ca.crt': Buffer.from(fakeClusterCa).toString('base64') },
    });
  }
}

const decoded = (api: FakeApiServer, key: string, field: string) => Buffer.from((api.objects.get(key)!['data'] as Record<string, string>)[field]!, 'base64').toString('utf8');

const expectedLines = (created: string) => [
  'Argo CD v3.4.2 on ibm-prow-jobs (' + join(dir, 'install.yaml') + ')',
  `  ${created}Namespace argocd`,
  `  ${created}CustomResourceDefinition applications.argoproj.io`,
  `  ${created}CustomResourceDefinition appprojects.argoproj.io`,
  `  ${created}ServiceAccount argocd/argocd-application-controller`,
  `  ${created}ConfigMap argocd/argocd-cm`,
  `  ${created}ClusterRole argocd-application-controller`,
  'prow-workloads: ServiceAccount kube-system/argocd-manager, registered in Argo CD at https://prow-workloads-control-plane:6443',
  `  ${created}ServiceAccount kube-system/argocd-manager`,
  `  ${created}Secret kube-system/argocd-manager-token`,
  `  ${created}ClusterRole argocd-manager`,
  `  ${created}ClusterRoleBinding argocd-manager`,
];

describe('bootstrap', () => {
  it('installs Argo CD, registers the workloads cluster, applies projects and roots and writes Prow’s kubeconfig', async () => {
    argocdSynced();
    const tally = await bootstrap(options());
    expect(lines).toEqual([
      ...expectedLines('created         '),
      '  created         Secret argocd/cluster-prow-workloads',
      'AppProjects and root Applications on ibm-prow-jobs',
      '  created         AppProject argocd/kubevirt-ci-roots',
      '  created         AppProject argocd/ibm-prow-jobs',
      '  created         AppProject argocd/prow-workloads',
      '  created         Application argocd/ibm-prow-jobs-root',
      '  created         Application argocd/prow-workloads-root',
      "Prow's kubeconfig kubevirt-prow/kubeconfig: ibm-prow-jobs, prow-workloads",
      '  created         Secret kubevirt-prow/kubeconfig',
    ]);
    expect(tally).toEqual({ created: 17, configured: 0, unchanged: 0 });

    // argocd-cm: upstream's data kept, ours merged in, in Argo CD's namespace.
    const cm = hub.objects.get('configmaps/argocd/argocd-cm')!;
    expect(Object.keys(cm['data'] as object).sort()).toEqual(['resource.customizations.health.argoproj.io_Application', 'resource.respectRBAC', 'upstream.setting']);

    // The cluster Secret: the name Applications use as destination, the address the hub reaches, the manager's token.
    const secret = 'secrets/argocd/cluster-prow-workloads';
    expect((hub.objects.get(secret)!['metadata'] as { labels: Record<string, string> }).labels['argocd.argoproj.io/secret-type']).toBe('cluster');
    expect([decoded(hub, secret, 'name'), decoded(hub, secret, 'server')]).toEqual(['prow-workloads', 'https://prow-workloads-control-plane:6443']);
    expect(JSON.parse(decoded(hub, secret, 'config'))).toEqual({
      bearerToken: 'token-for-argocd-manager',
      tlsClientConfig: { insecure: false, caData: Buffer.from(fakeClusterCa).toString('base64') },
    });

    // The manager may write exactly what the spoke's AppProject allows, and read the children Argo CD shows.
    const role = spoke.objects.get('clusterroles/argocd-manager')! as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const monitoring = role.rules.find((r) => r.apiGroups[0] === 'monitoring.coreos.com' && r.verbs.includes('create'));
    expect(monitoring?.resources).toEqual(['alertmanagerconfigs', 'alertmanagers', 'prometheuses', 'prometheusrules', 'servicemonitors']);
    expect(role.rules.find((r) => r.apiGroups[0] === '' && !r.verbs.includes('create'))).toEqual({ apiGroups: [''], resources: ['endpoints', 'events', 'pods'], verbs: ['get', 'list', 'watch'] });
    expect(role.rules.flatMap((r) => r.resources)).not.toContain('*');

    // Prow's kubeconfig: one context per build cluster, the hub's in-cluster.
    const kubeconfig = parse(decoded(hub, 'secrets/kubevirt-prow/kubeconfig', 'config')) as { clusters: { name: string; cluster: { server: string } }[]; users: { name: string; user: { token: string } }[] };
    expect(kubeconfig.clusters.map((c) => [c.name, c.cluster.server])).toEqual([
      ['ibm-prow-jobs', 'https://kubernetes.default.svc'],
      ['prow-workloads', 'https://prow-workloads-control-plane:6443'],
    ]);
    expect(kubeconfig.users.map((u) => u.user.token)).toEqual(['prow-token-of-hub', 'prow-token-of-spoke']);
    expect(lines.join('\n')).not.toContain('token-for-argocd-manager');
  });

  it('changes nothing on a second run', async () => {
    argocdSynced();
    await bootstrap(options());
    const before = [new Map(hub.objects), new Map(spoke.objects)];
    lines = [];
    const tally = await bootstrap(options());
    expect(tally).toEqual({ created: 0, configured: 0, unchanged: 17 });
    expect(lines.filter((l) => l.startsWith('  ')).every((l) => l.startsWith('  unchanged'))).toBe(true);
    expect([hub.objects, spoke.objects]).toEqual(before);
  });

  it('says in a dry run what it would do on empty clusters, storing nothing', async () => {
    const tally = await bootstrap(options({ dryRun: true }));
    expect(lines).toEqual([
      ...expectedLines('would create    '),
      '  would create    Secret argocd/cluster-prow-workloads (once the token exists)',
      'AppProjects and root Applications on ibm-prow-jobs',
      '  would create    AppProject argocd/kubevirt-ci-roots',
      '  would create    AppProject argocd/ibm-prow-jobs',
      '  would create    AppProject argocd/prow-workloads',
      '  would create    Application argocd/ibm-prow-jobs-root',
      '  would create    Application argocd/prow-workloads-root',
      "Prow's kubeconfig kubevirt-prow/kubeconfig: ibm-prow-jobs, prow-workloads",
      '  would create    Secret kubevirt-prow/kubeconfig (once Argo CD has synced build-cluster on ibm-prow-jobs, prow-workloads)',
    ]);
    expect(tally.created).toBe(15);
    expect([...hub.objects.keys()]).toEqual([]);
    expect([...spoke.objects.keys()]).toEqual(['namespaces/kube-system']);
    expect(hub.requests.filter((r) => r.startsWith('PATCH') && !r.endsWith('?dryRun=All'))).toEqual([]);
  });

  it('reports a change it would make to an existing cluster, and applies nothing', async () => {
    argocdSynced();
    await bootstrap(options());
    const before = new Map(hub.objects);
    lines = [];
    await bootstrap(options({ dryRun: true, servers: new Map([['prow-workloads', 'https://10.0.0.5:6443']]) }));
    expect(lines.filter((l) => l.startsWith('  would'))).toEqual(['  would configure Secret argocd/cluster-prow-workloads', '  would configure Secret kubevirt-prow/kubeconfig']);
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
      'Secret kubevirt-prow-jobs/prow-control-plane-token did not appear on ibm-prow-jobs, prow-workloads within 0.05s; Argo CD creates it when it syncs the build-cluster Application. See `pnpm status`, then run bootstrap again (it is safe to repeat).',
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
