import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkArgoGraph, parseManifests, type ParsedObject } from '../src/index.ts';

const repoURL = 'https://github.com/kubevirt/project-infra';
const root = 'clusters/hub/manifests/hub-1';

function app(name: string, path: string | { chart: string }, wave: number, extra: { dest?: string; ns?: string; project?: string; installs?: string } = {}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      namespace: 'argocd',
      annotations: { 'argocd.argoproj.io/sync-wave': String(wave), ...(extra.installs ? { 'ci.kubevirt.io/installs': extra.installs } : {}) },
    },
    spec: {
      project: extra.project ?? 'hub-1',
      destination: { name: extra.dest ?? 'in-cluster', namespace: extra.ns ?? 'cert-manager' },
      source: typeof path === 'string' ? { repoURL, targetRevision: 'main', path } : { repoURL: 'https://charts.jetstack.io', chart: path.chart, targetRevision: 'v1' },
    },
  };
}

const project = (kinds: { cluster?: [string, string][]; namespaced?: [string, string][] } = {}) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'hub-1', namespace: 'argocd' },
  spec: {
    sourceRepos: [repoURL],
    destinations: [{ name: 'in-cluster', namespace: 'cert-manager' }],
    clusterResourceWhitelist: (kinds.cluster ?? [['cert-manager.io', 'ClusterIssuer'], ['', 'Namespace']]).map(([group, kind]) => ({ group, kind })),
    namespaceResourceWhitelist: (kinds.namespaced ?? [['cert-manager.io', 'Certificate']]).map(([group, kind]) => ({ group, kind })),
  },
});

const issuer = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'letsencrypt' } };
const cert = (ns = 'cert-manager') => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c', namespace: ns }, spec: { secretName: 'c', issuerRef: { name: 'letsencrypt' } } });

function tree(files: Record<string, object[]>): ParsedObject[] {
  return Object.entries(files).flatMap(([file, objs]) => parseManifests(file, objs.map((o) => stringify(o)).join('---\n')).objects);
}

const good = (): Record<string, object[]> => ({
  [`${root}/project.yaml`]: [project()],
  [`${root}/apps.yaml`]: [
    app('hub-1-cert-manager-release', { chart: 'cert-manager' }, 1, { installs: 'Certificate.cert-manager.io,ClusterIssuer.cert-manager.io' }),
    app('hub-1-cert-manager', `${root}/cert-manager`, 2),
  ],
  [`${root}/cert-manager/issuer.yaml`]: [issuer, cert()],
});

const run = (files: Record<string, object[]>, destinations?: string[]) =>
  checkArgoGraph(tree(files), { repoURL, basePath: '', destinations }).map((f) => [f.rule, f.file, f.message]);

describe('checkArgoGraph', () => {
  it('passes a consistent tree', () => {
    // The top-level files are synced by a root Application that is not part of this tree.
    const findings = run(good(), ['in-cluster']).filter(([rule]) => rule !== 'argocd/orphaned-directory');
    expect(findings).toEqual([]);
  });

  it('reports the directory no Application syncs', () => {
    expect(run(good()).filter(([r]) => r === 'argocd/orphaned-directory')).toEqual([['argocd/orphaned-directory', `${root}/project.yaml`, `no Application syncs ${root}/`]]);
  });

  it('reports an Application whose path is empty, whose project is missing, or whose destination is not allowed or unknown', () => {
    const files = good();
    files[`${root}/apps.yaml`]!.push(app('hub-1-ghost', `${root}/ghost`, 2), app('hub-1-lost', `${root}/cert-manager`, 2, { project: 'nope' }), app('hub-1-far', `${root}/cert-manager`, 3, { dest: 'spoke-9', ns: 'cert-manager' }));
    expect(run(files, ['in-cluster']).filter(([r]) => r !== 'argocd/orphaned-directory' && r !== 'argocd/shared-object')).toEqual([
      ['argocd/empty-path', `${root}/apps.yaml`, `${root}/ghost has no manifests`],
      ['argocd/unknown-project', `${root}/apps.yaml`, 'AppProject nope is not rendered'],
      ['argocd/unknown-destination', `${root}/apps.yaml`, 'cluster spoke-9 is not in the topology'],
      ['argocd/destination-not-allowed', `${root}/apps.yaml`, 'project hub-1 does not allow spoke-9/cert-manager'],
      ['argocd/crd-missing', `${root}/cert-manager/issuer.yaml`, 'no Application installs the CRD for ClusterIssuer.cert-manager.io on spoke-9'],
      ['argocd/namespace-not-allowed', `${root}/cert-manager/issuer.yaml`, 'project hub-1 does not allow namespace cert-manager on spoke-9'],
      ['argocd/crd-missing', `${root}/cert-manager/issuer.yaml`, 'no Application installs the CRD for Certificate.cert-manager.io on spoke-9'],
    ]);
  });

  it('reports kinds and namespaces the project does not allow', () => {
    const files: Record<string, object[]> = { ...good(), [`${root}/project.yaml`]: [project({ cluster: [['', 'Namespace']], namespaced: [] })] };
    files[`${root}/cert-manager/issuer.yaml`] = [issuer, cert('monitoring')];
    expect(run(files).filter(([r]) => r !== 'argocd/orphaned-directory')).toEqual([
      ['argocd/kind-not-allowed', `${root}/cert-manager/issuer.yaml`, 'project hub-1 does not allow the cluster-scoped ClusterIssuer.cert-manager.io'],
      ['argocd/kind-not-allowed', `${root}/cert-manager/issuer.yaml`, 'project hub-1 does not allow Certificate.cert-manager.io in namespaces'],
      ['argocd/namespace-not-allowed', `${root}/cert-manager/issuer.yaml`, 'project hub-1 does not allow namespace monitoring on in-cluster'],
    ]);
  });

  it('reports a custom resource synced no later than the release that installs its CRD', () => {
    const files = good();
    files[`${root}/apps.yaml`] = [
      app('hub-1-cert-manager-release', { chart: 'cert-manager' }, 2, { installs: 'Certificate.cert-manager.io,ClusterIssuer.cert-manager.io' }),
      app('hub-1-cert-manager', `${root}/cert-manager`, 2),
    ];
    expect(run(files).filter(([r]) => r === 'argocd/crd-order').map(([, , m]) => m)).toEqual([
      'ClusterIssuer.cert-manager.io is installed by hub-1-cert-manager-release (wave 2), not before this Application (wave 2)',
      'Certificate.cert-manager.io is installed by hub-1-cert-manager-release (wave 2), not before this Application (wave 2)',
    ]);
  });

  it('reports an object two Applications own', () => {
    const files = good();
    files[`${root}/apps.yaml`]!.push(app('hub-1-copy', `${root}/copy`, 2));
    files[`${root}/copy/issuer.yaml`] = [issuer];
    expect(run(files).filter(([r]) => r === 'argocd/shared-object')).toEqual([
      ['argocd/shared-object', `${root}/copy/issuer.yaml`, 'Applications hub-1-cert-manager and hub-1-copy both own this object'],
    ]);
  });
});
