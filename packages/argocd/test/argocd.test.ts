import { facts } from '@kubevirt-ci/topology';
import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { application, project, repoOf, type ApplicationProps } from '../src/index.ts';

const gitops = facts.gitops;

function build(fn: (c: Chart) => void): Record<string, unknown>[] {
  const c = new Chart(new App(), 'test');
  fn(c);
  return c.toJson() as Record<string, unknown>[];
}

const base: ApplicationProps = {
  name: 'x-app',
  project: 'x',
  destination: { name: 'x', namespace: 'monitoring' },
  source: { type: 'rendered', path: 'clusters/r/manifests/x/app' },
  wave: 3,
  serverSideApply: false,
  labels: { 'ci.kubevirt.io/app': 'app' },
  description: 'an app',
};

describe('application', () => {
  it('reads a rendered directory of this repository, under basePath when the repo is a subdirectory', () => {
    const [app] = build((c) => application(c, { ...gitops, basePath: 'infra' }, base));
    expect((app!['spec'] as { source: unknown }).source).toEqual({
      repoURL: 'https://github.com/kubevirt/project-infra',
      targetRevision: 'main',
      path: 'infra/clusters/r/manifests/x/app',
      directory: { recurse: false },
    });
    expect((app!['metadata'] as { annotations: unknown }).annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '3', 'ci.kubevirt.io/description': 'an app' });
  });

  it('reads a git path with kustomize patches, applied server-side', () => {
    const [app] = build((c) =>
      application(c, gitops, {
        ...base,
        serverSideApply: true,
        source: { type: 'git', repoURL: 'https://github.com/example/x', revision: 'v1.0.0', path: 'manifests', kustomizePatches: [{ target: { kind: 'ConfigMap', name: 'cm' }, patch: 'data: {}\n' }] },
      }),
    );
    const spec = app!['spec'] as { source: unknown; syncPolicy: { syncOptions: string[] } };
    expect(spec.source).toEqual({
      repoURL: 'https://github.com/example/x',
      targetRevision: 'v1.0.0',
      path: 'manifests',
      kustomize: { patches: [{ target: { kind: 'ConfigMap', name: 'cm' }, patch: 'data: {}\n' }] },
    });
    expect(spec.syncPolicy.syncOptions).toEqual(['FailOnSharedResource=true', 'PruneLast=true', 'ServerSideApply=true']);
  });

  it('tells which repository a source reads', () => {
    expect(repoOf(gitops, base.source)).toBe('https://github.com/kubevirt/project-infra');
    expect(repoOf(gitops, { type: 'helm', repoURL: 'https://charts.jetstack.io', chart: 'c', version: '1', releaseName: 'c', values: {} })).toBe('https://charts.jetstack.io');
  });
});

describe('project', () => {
  const props = {
    name: 'x',
    description: 'd',
    sourceRepos: ['https://b.example', 'https://a.example', 'https://b.example'],
    destinations: [
      { name: 'x', namespace: 'zeta' },
      { name: 'x', namespace: 'alpha' },
      { name: 'x', namespace: 'zeta' },
    ],
    clusterKinds: [{ group: '', kind: 'Namespace' }, { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }, { group: '', kind: 'Namespace' }],
    namespacedKinds: [{ group: 'apps', kind: 'Deployment' }, { group: '', kind: 'ConfigMap' }],
  };

  it('sorts and de-duplicates every list, so the output never depends on input order', () => {
    const [p] = build((c) => project(c, gitops, props));
    expect(p!['spec']).toEqual({
      description: 'd',
      sourceRepos: ['https://a.example', 'https://b.example'],
      destinations: [
        { name: 'x', namespace: 'alpha' },
        { name: 'x', namespace: 'zeta' },
      ],
      clusterResourceWhitelist: [
        { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
        { group: '', kind: 'Namespace' },
      ],
      namespaceResourceWhitelist: [
        { group: '', kind: 'ConfigMap' },
        { group: 'apps', kind: 'Deployment' },
      ],
    });
  });

  it('refuses wildcards', () => {
    expect(() => build((c) => project(c, gitops, { ...props, destinations: [{ name: 'x', namespace: '*' }] }))).toThrow(
      'AppProject x: "*" is a wildcard; list exact values',
    );
    expect(() => build((c) => project(c, gitops, { ...props, sourceRepos: ['https://github.com/kubevirt/*'] }))).toThrow(
      'AppProject x: "https://github.com/kubevirt/*" is a wildcard; list exact values',
    );
  });
});
