import { join } from 'node:path';
import { loadTopology, render } from '@kubevirt-ci/synth';
import { applyForReal, crdsIn, installCrds, startCluster } from '@kubevirt-ci/testcluster';
import { versions } from '@kubevirt-ci/topology';
import { moduleDir } from '@kubevirt-ci/upstream';
import { describe, expect, it } from 'vitest';
import { expectedApplications, liveApplications } from '../src/status/live.ts';
import { allReady, clusterStatuses, formatStatus, unexpected, type ApplicationObject } from '../src/status/tree.ts';
import { loadKubeConfig } from '../src/lib/kubeconfig.ts';

/** An Application as Argo CD reports it. */
function recorded(name: string, wave: number, sync: string, health: string, extra: Partial<NonNullable<ApplicationObject['status']>> = {}): ApplicationObject {
  return {
    metadata: { name, labels: { 'ci.kubevirt.io/cluster': name.split('-')[0]! }, annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } },
    status: { sync: { status: sync }, health: { status: health }, ...extra },
  };
}

const expected = [
  {
    cluster: 'hub',
    applications: [
      { name: 'hub-namespaces', wave: 0 },
      { name: 'hub-prometheus-operator', wave: 1 },
      { name: 'hub-prometheus', wave: 2 },
      { name: 'hub-root', wave: 0 },
    ],
  },
  { cluster: 'spoke', applications: [{ name: 'spoke-greenhouse', wave: 1 }, { name: 'spoke-root', wave: 0 }] },
];

describe('status', () => {
  it('is ready when every Application the repository renders is Synced and Healthy', () => {
    const live = [
      recorded('hub-root', 0, 'Synced', 'Healthy'),
      recorded('hub-namespaces', 0, 'Synced', 'Healthy'),
      recorded('hub-prometheus-operator', 1, 'Synced', 'Healthy'),
      recorded('hub-prometheus', 2, 'Synced', 'Healthy'),
      recorded('spoke-root', 0, 'Synced', 'Healthy'),
      recorded('spoke-greenhouse', 1, 'Synced', 'Healthy'),
    ];
    const statuses = clusterStatuses(expected, live);
    expect(allReady(statuses)).toBe(true);
    expect(formatStatus(statuses)).toEqual([
      'hub: 4 of 4 Applications Synced and Healthy',
      '  hub-root                   Synced     Healthy      ok',
      '  ├ hub-namespaces           Synced     Healthy      ok',
      '  ├ hub-prometheus-operator  Synced     Healthy      ok',
      '  └ hub-prometheus           Synced     Healthy      ok',
      'spoke: 2 of 2 Applications Synced and Healthy',
      '  spoke-root                 Synced     Healthy      ok',
      '  └ spoke-greenhouse         Synced     Healthy      ok',
    ]);
  });

  it('says what is not ready and why: out of sync, degraded, a failed sync, or not there at all', () => {
    const live = [
      recorded('hub-root', 0, 'Synced', 'Healthy'),
      recorded('hub-namespaces', 0, 'Synced', 'Healthy'),
      recorded('hub-prometheus-operator', 1, 'OutOfSync', 'Progressing', { operationState: { phase: 'Failed', message: 'CustomResourceDefinition is too long' } }),
      { ...recorded('hub-prometheus', 2, 'Synced', 'Degraded'), status: { sync: { status: 'Synced' }, health: { status: 'Degraded', message: 'Deployment thanos-query has no ready replica' } } },
      recorded('spoke-root', 0, 'Synced', 'Healthy'),
      recorded('spoke-leftover', 1, 'Synced', 'Healthy'),
    ];
    const statuses = clusterStatuses(expected, live);
    expect(allReady(statuses)).toBe(false);
    expect(statuses.flatMap((s) => [s.root, ...s.children]).map((r) => [r.name, r.sync, r.health, r.problem])).toEqual([
      ['hub-root', 'Synced', 'Healthy', undefined],
      ['hub-namespaces', 'Synced', 'Healthy', undefined],
      ['hub-prometheus-operator', 'OutOfSync', 'Progressing', 'sync failed: CustomResourceDefinition is too long'],
      ['hub-prometheus', 'Synced', 'Degraded', 'Deployment thanos-query has no ready replica'],
      ['spoke-root', 'Synced', 'Healthy', undefined],
      ['spoke-greenhouse', 'Missing', 'Missing', 'Argo CD has no such Application yet (its root has not synced it)'],
    ]);
    expect(formatStatus(statuses).filter((l) => l.includes('!!') || !l.startsWith('  ') || l.startsWith('      '))).toEqual([
      'hub: 2 of 4 Applications Synced and Healthy',
      '  ├ hub-prometheus-operator  OutOfSync  Progressing  !!',
      '      sync failed: CustomResourceDefinition is too long',
      '  └ hub-prometheus           Synced     Degraded     !!',
      '      Deployment thanos-query has no ready replica',
      'spoke: 1 of 2 Applications Synced and Healthy',
      '  └ spoke-greenhouse         Missing    Missing      !!',
      '      Argo CD has no such Application yet (its root has not synced it)',
    ]);
    expect(unexpected(expected, live)).toEqual(['spoke-leftover']);
  });

  it('counts an error condition against an otherwise healthy Application', () => {
    const app = { ...recorded('spoke-root', 0, 'Synced', 'Healthy'), status: { sync: { status: 'Synced' }, health: { status: 'Healthy' }, conditions: [{ type: 'ComparisonError', message: 'repository not accessible' }] } };
    const [, spoke] = clusterStatuses(expected, [app, recorded('spoke-greenhouse', 1, 'Synced', 'Healthy')]);
    expect([spoke!.root.problem, allReady([spoke!])]).toEqual(['ComparisonError: repository not accessible', false]);
  });

  it("expects the repository's own Applications, and reads them from Argo CD through the API", async () => {
    const rendered = render(await loadTopology());
    const exp = expectedApplications(rendered);
    expect(exp.map((e) => [e.cluster, e.applications.find((a) => a.name.endsWith('-prometheus'))])).toEqual(
      rendered.clusters.map((rc) => [rc.cluster.name, { name: `${rc.cluster.name}-prometheus`, wave: 2 }]),
    );
    expect(exp.map((e) => e.cluster).slice(0, 2)).toEqual(['ibm-prow-jobs', 'prow-workloads']);
    // A real API server with the pinned Argo CD's Application CRD: the one in argocd is read, the other not.
    const cluster = await startCluster({ name: 'status', progress: () => undefined });
    try {
      await installCrds(cluster.admin, crdsIn([join(moduleDir('github.com/argoproj/argo-cd/v3', versions.argocd), 'manifests/crds')]).filter((c) => (c['metadata'] as { name: string }).name === 'applications.argoproj.io'));
      const application = (name: string, namespace: string) => ({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        ...recorded(name, 0, 'Synced', 'Healthy'),
        metadata: { ...recorded(name, 0, 'Synced', 'Healthy').metadata, namespace },
        spec: { project: 'default', destination: { name: 'in-cluster', namespace: 'default' }, source: { repoURL: 'https://example.invalid/repo', path: '.', targetRevision: 'main' } },
      });
      await applyForReal(cluster.admin, [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } },
        application('prow-workloads-root', 'argocd'),
        application('elsewhere', 'other'),
      ]);
      const live = await liveApplications(loadKubeConfig('status', cluster.kubeconfig), 'argocd');
      expect(live.map((a) => [a.metadata.name, a.status?.sync?.status, a.status?.health?.status])).toEqual([['prow-workloads-root', 'Synced', 'Healthy']]);
    } finally {
      await cluster.stop();
    }
  });
});
