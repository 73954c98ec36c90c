import { findDrift, loadTopology, render, rootsProject } from '@kubevirt-ci/synth';
import { argoObject, clusterOf, committedApps } from '@kubevirt-ci/synth/testing';
import { defineTopology, repoRoot, type ClusterSpec } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { role } from '../src/index.ts';

const topology = await loadTopology();
const rendered = render(topology);

describe('the workloads role', () => {
  it('commits an Application for exactly the components the topology declares for it (what the docs list)', () => {
    const c = clusterOf(rendered, 'prow-workloads').cluster;
    expect(committedApps(repoRoot, c.manifestsDir)).toEqual(c.apps.map((e) => e.app.name).sort());
  });
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
      uses: { services: ['quay'], buckets: ['build-artifacts'] },
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
    // ... nothing that was there changes, but the hub's receive admits its writer too.
    expect(first.files).toEqual(clusterOf(rendered, 'prow-workloads').files);
    const before = clusterOf(rendered, 'ibm-prow-jobs');
    const after = clusterOf(grown, 'ibm-prow-jobs');
    expect([...after.files.keys()]).toEqual([...before.files.keys()]);
    const ingress = 'clusters/control-plane/manifests/ibm-prow-jobs/thanos/ingress-thanos-receive.yaml';
    expect([...after.files.keys()].filter((k) => after.files.get(k) !== before.files.get(k))).toEqual([ingress]);
    // The spokes there were, in topology order, then the new one.
    const writers = [...rendered.topology.clusters.filter((c) => !c.hub).map((c) => c.name), 'prow-arm64-workloads'].map((n) => `prometheus.${n}`);
    expect(after.files.get(ingress)).toContain(`auth-tls-match-cn: CN=(${writers.map((w) => w.replace('.', '\\.')).join('|')})$\n`);
    expect(writers[0]).toBe('prometheus.prow-workloads');
    // The writers' CA Secret on the hub names the new writer too.
    expect(after.provided.find((p) => p.name === 'thanos-receive-client-ca')!.description).toContain(`(${writers.join(', ')})`);
  });

  it("points its jobs at its own caches, through the same presets as the control plane's jobs", () => {
    const presets = (name: string) =>
      clusterOf(rendered, name)
        .presets.map((o) => [o.preset.label, o.preset.services.map((s) => `${s.namespace}/${s.name}:${s.port}`)])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(presets('prow-workloads')).toEqual([
      ['preset-bazel-cache', ['kubevirt-prow/bazel-cache:8080']],
      ['preset-docker-mirror-proxy', ['docker-proxy/docker-mirror-proxy:3128', 'kubevirt-prow/docker-mirror-proxy:3128']],
      // The external KubeVirtCI clusters' kubeconfigs point at no Service of ours.
      ['preset-kubevirtci-arm-kubeconfig', []],
      ['preset-kubevirtci-performance-kubeconfig', []],
    ]);
    expect(presets('ibm-prow-jobs')).toEqual(presets('prow-workloads'));
    const caches = clusterOf(rendered, 'prow-workloads').parts.filter((p) => p.name === 'greenhouse' || p.name === 'docker-proxy');
    const services = caches.flatMap((p) => p.objects).filter((o) => o.kind === 'Service');
    expect(services.map((o) => `${o.metadata.namespace}/${o.metadata.name}:${(o['spec'] as { ports: { port: number }[] }).ports.map((p) => p.port).join(',')}`)).toEqual([
      'kubevirt-prow/bazel-cache:8080,9090',
      'docker-proxy/docker-mirror-proxy:3128',
      'kubevirt-prow/docker-mirror-proxy:3128',
      // The docker proxy's CA expiry, for Prometheus.
      'docker-proxy/docker-proxy-ca-exporter:9793',
    ]);
  });

  it('has its committed manifests up to date', () => {
    expect(findDrift(repoRoot, rendered, ['workloads'])).toEqual([]);
  });
});
