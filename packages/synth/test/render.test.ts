import { emitModel } from '@kubevirt-ci/kube';
import { ClusterRole, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Secret } from 'kubernetes-models/v1';
import { defineApp, enable, metricsEndpointsOn, Problems, resolveTopology } from '@kubevirt-ci/topology';
import { orderParts } from '../src/order.ts';
import type { PlannedPart } from '../src/plan.ts';
import { z } from 'zod';
import { ApiObject } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { render, rootsProject } from '../src/index.ts';
import { argoObject, clusterOf, objectsOf, problemsFrom } from '../src/testing.ts';
import { appRendering, dashboards, topology, widgets } from './fixtures.ts';

const policy = (ssa: boolean) => ({
  automated: { prune: true, selfHeal: true },
  retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
  syncOptions: ['FailOnSharedResource=true', 'PruneLast=true', ...(ssa ? ['ServerSideApply=true'] : [])],
});

describe('render', () => {
  const rendered = render(topology([enable(widgets), enable(dashboards, { title: 'KubeVirt CI' })], [enable(widgets), enable(dashboards)]));

  it('orders namespaces first, then releases, then what uses the kinds they install', () => {
    expect(clusterOf(rendered, 'hub-1').parts.map((p) => [p.name, p.wave])).toEqual([
      ['namespaces', 0],
      ['widgets-release', 1],
      ['dashboards', 2],
    ]);
  });

  it('renders a child Application from the one builder', () => {
    expect(argoObject(rendered, 'hub-1', 'Application', 'hub-1-dashboards')).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: 'hub-1-dashboards',
        namespace: 'argocd',
        labels: { 'app.kubernetes.io/part-of': 'kubevirt-ci', 'ci.kubevirt.io/cluster': 'hub-1', 'ci.kubevirt.io/role': 'hub', 'ci.kubevirt.io/app': 'dashboards' },
        annotations: { 'argocd.argoproj.io/sync-wave': '2', 'ci.kubevirt.io/description': 'dashboards: renders widgets' },
        finalizers: ['resources-finalizer.argocd.argoproj.io/foreground'],
      },
      spec: {
        project: 'hub-1',
        destination: { name: 'in-cluster', namespace: 'monitoring' },
        source: { repoURL: 'https://github.com/kubevirt/project-infra', targetRevision: 'main', path: 'clusters/hub/manifests/hub-1/dashboards', directory: { recurse: false } },
        syncPolicy: policy(false),
      },
    });
  });

  it('renders a release as a Helm source, applied server-side', () => {
    const app = argoObject(rendered, 'spoke-1', 'Application', 'spoke-1-widgets-release');
    expect(app['spec']).toEqual({
      project: 'spoke-1',
      destination: { name: 'spoke-1', namespace: 'monitoring' },
      source: { repoURL: 'https://charts.example.io', chart: 'widgets', targetRevision: '1.2.3', helm: { releaseName: 'widgets', valuesObject: { replicas: 1 } } },
      syncPolicy: policy(true),
    });
  });

  it("gives each cluster an AppProject that allows exactly its repos, namespaces and kinds", () => {
    expect(argoObject(rendered, 'spoke-1', 'AppProject', 'spoke-1')).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'spoke-1', namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
      spec: {
        description: 'Everything Argo CD deploys to cluster spoke-1 (role spokes).',
        sourceRepos: ['https://charts.example.io', 'https://github.com/kubevirt/project-infra'],
        destinations: [{ name: 'spoke-1', namespace: 'monitoring' }],
        clusterResourceWhitelist: [
          { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
          { group: 'example.io', kind: 'Gadget' },
          { group: '', kind: 'Namespace' },
        ],
        namespaceResourceWhitelist: [
          { group: '', kind: 'ConfigMap' },
          { group: 'apps', kind: 'Deployment' },
          { group: 'example.io', kind: 'Widget' },
        ],
      },
    });
  });

  it("roots every cluster in an Application on the hub that syncs the cluster's directory", () => {
    expect(argoObject(rendered, 'spoke-1', 'Application', 'spoke-1-root')['spec']).toEqual({
      project: rootsProject,
      destination: { name: 'in-cluster', namespace: 'argocd' },
      source: { repoURL: 'https://github.com/kubevirt/project-infra', targetRevision: 'main', path: 'clusters/spokes/manifests/spoke-1', directory: { recurse: false } },
      syncPolicy: policy(false),
    });
    expect(argoObject(rendered, 'hub-1', 'AppProject', rootsProject)['spec']).toEqual({
      description: "Each cluster's root Application: it creates that cluster's AppProject and Applications in Argo CD.",
      sourceRepos: ['https://github.com/kubevirt/project-infra'],
      destinations: [{ name: 'in-cluster', namespace: 'argocd' }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: 'argoproj.io', kind: 'Application' },
      ],
    });
    expect(clusterOf(rendered, 'spoke-1').argo.some((m) => m.metadata.name === rootsProject)).toBe(false);
  });

  it('creates every namespace its apps use, unpruned and with its pod security level', () => {
    expect(objectsOf(rendered, 'hub-1', 'namespaces')).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'monitoring',
          labels: { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' },
          annotations: {
            'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
            'ci.kubevirt.io/purpose': 'Prometheus, Thanos, node-exporter and Grafana',
            'ci.kubevirt.io/pod-security-reason': "node-exporter reads the host's /proc and /sys with hostPID and hostNetwork",
          },
        },
      },
    ]);
  });

  it('writes one file per object, named by kind and name, with a header naming the source', () => {
    const files = [...clusterOf(rendered, 'hub-1').files.keys()];
    expect(files).toEqual([
      'clusters/hub/manifests/hub-1/application-hub-1-dashboards.yaml',
      'clusters/hub/manifests/hub-1/application-hub-1-namespaces.yaml',
      'clusters/hub/manifests/hub-1/application-hub-1-root.yaml',
      'clusters/hub/manifests/hub-1/application-hub-1-widgets-release.yaml',
      'clusters/hub/manifests/hub-1/appproject-hub-1.yaml',
      'clusters/hub/manifests/hub-1/appproject-kubevirt-ci-roots.yaml',
      'clusters/hub/manifests/hub-1/namespaces/namespace-monitoring.yaml',
      'clusters/hub/manifests/hub-1/dashboards/configmap-settings.yaml',
      'clusters/hub/manifests/hub-1/dashboards/gadget-global.yaml',
      'clusters/hub/manifests/hub-1/dashboards/widget-main.yaml',
    ]);
    expect(clusterOf(rendered, 'hub-1').files.get('clusters/hub/manifests/hub-1/dashboards/configmap-settings.yaml')).toBe(
      "# Rendered by 'pnpm synth' from packages/synth/test/fixtures.ts; edit that, not this file.\n" +
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: monitoring\ndata:\n  title: KubeVirt CI\n',
    );
  });

  it('is deterministic: the same topology renders the same bytes', () => {
    const again = render(topology([enable(widgets), enable(dashboards, { title: 'KubeVirt CI' })], [enable(widgets), enable(dashboards)]));
    expect(again.clusters.map((c) => [...c.files])).toEqual(rendered.clusters.map((c) => [...c.files]));
  });

  it('tells apart objects of the same kind and name in different namespaces', () => {
    const twins = appRendering('twins', (scope) => {
      for (const ns of ['monitoring', 'ci-search']) emitModel(scope, new ConfigMap({ metadata: { name: 'same', namespace: ns } }));
    }, ['monitoring', 'ci-search']);
    const r = render(topology([enable(twins)], [], [twins]));
    expect([...clusterOf(r, 'hub-1').files.keys()].filter((f) => f.includes('/twins/'))).toEqual([
      'clusters/hub/manifests/hub-1/twins/configmap-same.ci-search.yaml',
      'clusters/hub/manifests/hub-1/twins/configmap-same.monitoring.yaml',
    ]);
  });

  it("quotes a string Go's YAML 1.1 reader would take for a bool or a number, such as an annotation 'on'", () => {
    const ambiguous = appRendering('ambiguous', (scope) => {
      emitModel(scope, new ConfigMap({ metadata: { name: 'flags', namespace: 'monitoring', annotations: { verify: 'on', legacy: 'yes', mode: '0400', ratio: '1:30', plain: 'off-by-one' } } }));
    }, ['monitoring']);
    const r = render(topology([enable(ambiguous)], [], [ambiguous]));
    const text = clusterOf(r, 'hub-1').files.get('clusters/hub/manifests/hub-1/ambiguous/configmap-flags.yaml')!;
    expect(text).toContain('    verify: "on"\n');
    expect(text).toContain('    legacy: "yes"\n');
    expect(text).toContain('    mode: "0400"\n');
    expect(text).toContain('    ratio: "1:30"\n');
    expect(text).toContain('    plain: off-by-one\n');
  });
});

describe('the declare step', () => {
  it('calls each declarative hook once per app and cluster, and render() once, whatever reads their answers', () => {
    const calls: string[] = [];
    const count = <T>(hook: string, value: T) => () => (calls.push(hook), value);
    const counted = defineApp({
      name: 'counted',
      component: 'counted',
      description: 'counts its hook calls',
      values: z.object({}),
      namespaces: count('namespaces', ['monitoring']),
      releases: count('releases', []),
      flows: count('flows', []),
      provided: count('provided', []),
      jobPresets: count('jobPresets', []),
      metrics: count('metrics', [{ name: 'counted', namespace: 'monitoring', selector: { app: 'counted' }, port: 'metrics', description: 'itself' }]),
      render: count('render', undefined),
    });
    const rendered = render(topology([enable(counted)], [enable(counted)], [counted]));
    const tally = (hook: string) => calls.filter((c) => c === hook).length;
    expect(['namespaces', 'releases', 'flows', 'provided', 'jobPresets', 'metrics', 'render'].map(tally)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(metricsEndpointsOn(clusterOf(rendered, 'spoke-1').cluster).map((m) => m.app)).toEqual(['counted']);
    expect(tally('metrics')).toBe(2);
  });
});

describe('provided objects', () => {
  it('are collected per cluster, and must sit in one of the app namespaces', () => {
    const hook = defineApp({
      name: 'hook',
      component: 'hook',
      description: 'hook',
      values: z.object({}),
      namespaces: () => ['kubevirt-prow'],
      provided: () => [{ kind: 'Secret', namespace: 'kubevirt-prow', name: 'hmac-token', keys: ['hmac'], description: 'GitHub webhook HMAC secret' }],
    });
    const r = render(topology([enable(hook)], [], [hook]));
    expect(clusterOf(r, 'hub-1').provided).toEqual([{ kind: 'Secret', namespace: 'kubevirt-prow', name: 'hmac-token', keys: ['hmac'], description: 'GitHub webhook HMAC secret' }]);
    expect(clusterOf(r, 'spoke-1').provided).toEqual([]);
    const stray = defineApp({ ...hook, name: 'stray', namespaces: () => ['monitoring'] });
    expect(problemsFrom(() => render(topology([enable(stray)], [], [stray]))).map((p) => [p.field, p.message])).toEqual([
      ['provided().Secret hmac-token.namespace', '"kubevirt-prow" is not one of the app\'s namespaces'],
    ]);
  });
});

describe('render rejects', () => {
  const file = 'packages/synth/test/fixtures.ts';

  it('a custom kind whose CRD no app on the cluster installs', () => {
    expect(problemsFrom(() => render(topology([], [enable(dashboards)])))).toEqual([
      {
        file: 'packages/synth/test/fixtures.ts',
        object: 'Widget monitoring/main of app "dashboards" on cluster "spoke-1"',
        field: 'apiVersion',
        message: 'no app on this cluster installs the CRD for Widget.example.io',
        fix: 'enable the app whose release installs Widget.example.io on role "spokes"',
      },
      {
        file: 'packages/synth/test/fixtures.ts',
        object: 'Gadget global of app "dashboards" on cluster "spoke-1"',
        field: 'apiVersion',
        message: 'no app on this cluster installs the CRD for Gadget.example.io',
        fix: 'enable the app whose release installs Gadget.example.io on role "spokes"',
      },
    ]);
  });

  it('an object in a namespace the app does not declare, or a namespaced object without one', () => {
    const stray = appRendering('stray', (scope) => {
      emitModel(scope, new ConfigMap({ metadata: { name: 'a', namespace: 'kubevirt-prow' } }));
      emitModel(scope, new ConfigMap({ metadata: { name: 'b' } }));
      emitModel(scope, new ClusterRole({ metadata: { name: 'c', namespace: 'monitoring' } }));
    });
    expect(problemsFrom(() => render(topology([enable(stray)], [], [stray]))).map((p) => [p.file, p.object, p.field, p.message])).toEqual([
      [file, 'ConfigMap kubevirt-prow/a of app "stray" on cluster "hub-1"', 'metadata.namespace', '"kubevirt-prow" is not one of the app\'s namespaces (monitoring)'],
      [file, 'ConfigMap b of app "stray" on cluster "hub-1"', 'metadata.namespace', 'ConfigMap is namespaced but has no namespace'],
      [file, 'ClusterRole monitoring/c of app "stray" on cluster "hub-1"', 'metadata.namespace', 'ClusterRole is cluster-scoped but has namespace "monitoring"'],
    ]);
  });

  it('a Secret with values', () => {
    const leaky = appRendering('leaky', (scope) => {
      emitModel(scope, new Secret({ metadata: { name: 'hmac-token', namespace: 'monitoring' }, stringData: { hmac: 'hunter2' } }));
    });
    expect(problemsFrom(() => render(topology([enable(leaky)], [], [leaky])))).toEqual([
      {
        file,
        object: 'Secret monitoring/hmac-token of app "leaky" on cluster "hub-1"',
        field: 'stringData',
        message: 'the Secret carries values, which would be in git (policy/secret-data)',
        fix: 'never render Secret values; declare the Secret as provided outside git',
      },
    ]);
  });

  it("what the validator's single-object rules refuse, before anything is written", () => {
    const sloppy = appRendering('sloppy', (scope) => {
      emitModel(scope, new ConfigMap({ metadata: { name: 'Widget_Config', namespace: 'monitoring' } }));
      emitModel(scope, new RoleBinding({ metadata: { name: 'all', namespace: 'monitoring' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'widgets', namespace: 'monitoring' }] }));
    });
    expect(problemsFrom(() => render(topology([enable(sloppy)], [], [sloppy]))).map((p) => [p.file, p.object, p.field, p.message])).toEqual([
      [file, 'ConfigMap monitoring/Widget_Config of app "sloppy" on cluster "hub-1"', 'metadata.name', '"Widget_Config" is not a DNS subdomain (lower-case letters, digits, dashes and dots, at most 253) (objects/name)'],
      [file, 'RoleBinding monitoring/all of app "sloppy" on cluster "hub-1"', 'roleRef', 'binds cluster-admin in its namespace (policy/cluster-admin)'],
    ]);
  });

  it('two apps rendering the same object', () => {
    const one = appRendering('one', (scope) => void emitModel(scope, new ConfigMap({ metadata: { name: 'shared', namespace: 'monitoring' } })));
    const two = appRendering('two', (scope) => void emitModel(scope, new ConfigMap({ metadata: { name: 'shared', namespace: 'monitoring' } })));
    expect(problemsFrom(() => render(topology([enable(one), enable(two)], [], [one, two]))).map((p) => [p.object, p.message])).toEqual([
      ['ConfigMap monitoring/shared of app "two" on cluster "hub-1"', 'app "one" renders the same object'],
    ]);
  });

  it('a release named as the app that uses its kinds: two Applications of one name', () => {
    const release = widgets.releases({} as never)[0]!;
    const selfish = defineApp({ name: 'dashboards', component: 'dashboards', description: 'installs and uses widgets', values: dashboards.values, namespaces: () => ['monitoring'], releases: () => [{ ...release, name: 'dashboards' }], render: dashboards.render });
    expect(problemsFrom(() => render(topology([enable(selfish)], [], [selfish]))).map((p) => [p.object, p.field, p.message])).toEqual([['cluster "hub-1"', 'name', 'two Applications of the cluster are both named "dashboards"']]);
  });

  it('a sync order that waits for itself, as a problem naming the cycle', () => {
    const cluster = resolveTopology(topology([enable(widgets)])).hub;
    const part = (name: string, after: string[]): PlannedPart => ({ name, app: name, description: name, source: { type: 'rendered', path: name }, destinationNamespace: 'monitoring', objects: [], release: undefined, after: new Set(after), serverSideApply: false, sourceFile: file });
    const problems = new Problems();
    const parts = orderParts(cluster, [part('a', []), part('b', ['a', 'd']), part('c', ['b']), part('d', ['c'])], problems);
    expect(parts.map((p) => [p.name, p.wave])).toEqual([['a', 0], ['b', 3], ['c', 1], ['d', 2]]);
    expect(problems.list.map((p) => [p.object, p.field, p.message])).toEqual([['cluster "hub-1"', 'sync order', 'the sync order has a cycle: b waits for d waits for c waits for b']]);
  });

  it('two objects of one kind and name in different groups, which would share a file', () => {
    const twins = appRendering('twins', (scope) => {
      new ApiObject(scope, 'a', { apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'monitoring' } });
      new ApiObject(scope, 'b', { apiVersion: 'other.example.io/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'monitoring' } });
    });
    const other = defineApp({ ...widgets, name: 'other-widgets', releases: (ctx) => widgets.releases(ctx).map((r) => ({ ...r, name: 'other-widgets-release', installs: [{ group: 'other.example.io', kind: 'Widget', scope: 'Namespaced' as const }] })) });
    expect(problemsFrom(() => render(topology([enable(widgets), enable(other), enable(twins)], [], [widgets, other, twins]))).map((p) => [p.file, p.object, p.message])).toEqual([
      [file, 'Widget monitoring/w on cluster "hub-1"', 'another object of the same kind and name would also be written to clusters/hub/manifests/hub-1/twins/widget-w.monitoring.yaml'],
    ]);
  });

  it('an app whose render throws, naming the app and its file', () => {
    const broken = appRendering('broken', (scope) => {
      new ApiObject(scope, 'x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok', namespace: 'monitoring' } });
      throw new Error('greenhouse size must be at least 10Gi');
    });
    expect(problemsFrom(() => render(topology([enable(broken)], [], [broken])))).toEqual([
      { file, object: 'app "broken" on cluster "hub-1"', field: 'render()', message: 'greenhouse size must be at least 10Gi', fix: 'fix the app, or the values and topology it reads' },
    ]);
  });

  it('an app whose provided() or jobPresets() throws, the same way', () => {
    const broken = defineApp({
      name: 'broken',
      component: 'broken',
      description: 'broken',
      values: z.object({}),
      provided: () => {
        throw new Error('no Secret name for the CA key');
      },
      jobPresets: () => {
        throw new Error('no Service to point at');
      },
    });
    expect(problemsFrom(() => render(topology([enable(broken)], [], [broken]))).map((p) => [p.object, p.field, p.message])).toEqual([
      ['app "broken" on cluster "hub-1"', 'provided()', 'no Secret name for the CA key'],
      ['app "broken" on cluster "hub-1"', 'jobPresets()', 'no Service to point at'],
    ]);
  });
});
