import { findDrift, loadTopology, render, rootsProject } from '@kubevirt-ci/synth';
import { argoObject, clusterOf } from '@kubevirt-ci/synth/testing';
import { defineTopology, repoRoot, type ClusterSpec } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { role } from '../src/index.ts';

const topology = await loadTopology();
const rendered = render(topology);

describe('the workloads role', () => {
  it('renders prow-workloads as a spoke that Argo CD reaches by name', () => {
    const w = clusterOf(rendered, 'prow-workloads');
    expect([w.cluster.hub, w.cluster.destination, w.cluster.manifestsDir]).toEqual([false, 'prow-workloads', 'clusters/workloads/manifests/prow-workloads']);
    expect(argoObject(rendered, 'prow-workloads', 'Application', 'prow-workloads-root')['spec']).toMatchObject({
      project: rootsProject,
      destination: { name: 'in-cluster', namespace: 'argocd' },
      source: { path: 'clusters/workloads/manifests/prow-workloads' },
    });
  });

  it('takes a second workloads cluster as a few lines of data', () => {
    const arm64: ClusterSpec = {
      name: 'prow-arm64-workloads',
      description: 'Bare-metal arm64 workers; runs the arm64 e2e jobs.',
      uses: { services: ['quay'], buckets: ['build-artifacts', 'thanos-blocks'] },
      connectedClusters: [{ cluster: 'ibm-prow-jobs', why: 'it sends Prow jobs here' }],
      exposes: [],
    };
    const grown = render(
      defineTopology({ apps: topology.apps, roles: topology.roles.map((r) => (r.role === 'workloads' ? { ...role, clusters: [...role.clusters, arm64] } : r)) }),
    );
    const first = clusterOf(grown, 'prow-workloads');
    const second = clusterOf(grown, 'prow-arm64-workloads');
    expect([second.cluster.role, second.cluster.destination, second.cluster.manifestsDir]).toEqual([
      'workloads',
      'prow-arm64-workloads',
      'clusters/workloads/manifests/prow-arm64-workloads',
    ]);
    // The new cluster gets exactly what the first one has, under its own name ...
    const renamed = new Map([...first.files].map(([path, content]) => [path.replaceAll('prow-workloads', 'prow-arm64-workloads'), content.replaceAll('prow-workloads', 'prow-arm64-workloads')]));
    expect(second.files).toEqual(renamed);
    // ... and nothing that was there changes.
    expect(first.files).toEqual(clusterOf(rendered, 'prow-workloads').files);
    expect(clusterOf(grown, 'ibm-prow-jobs').files).toEqual(clusterOf(rendered, 'ibm-prow-jobs').files);
  });

  it('has its committed manifests up to date', () => {
    expect(findDrift(repoRoot, rendered, ['workloads'])).toEqual([]);
  });
});
