import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findDrift, loadTopology, render, rootsProject } from '@kubevirt-ci/synth';
import { argoObject, clusterOf, committedApps, objectsOf } from '@kubevirt-ci/synth/testing';
import { exposedServices, repoRoot } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const rendered = render(await loadTopology());
const cp = clusterOf(rendered, 'ibm-prow-jobs');
const repo = 'https://github.com/kubevirt/project-infra';

describe('the control plane', () => {
  it('commits an Application for exactly the components the topology declares for it (what the docs list)', () => {
    const c = clusterOf(rendered, 'ibm-prow-jobs').cluster;
    expect(committedApps(repoRoot, c.manifestsDir)).toEqual(c.apps.map((e) => e.app.name).sort());
  });
  it('is the hub: Argo CD reaches it as in-cluster', () => {
    expect([cp.cluster.role, cp.cluster.hub, cp.cluster.destination, cp.cluster.manifestsDir]).toEqual([
      'control-plane',
      true,
      'in-cluster',
      'clusters/control-plane/manifests/ibm-prow-jobs',
    ]);
  });

  it('syncs namespaces, then the upstream releases and the caches, then what uses the releases\' kinds', () => {
    expect(cp.parts.map((p) => [p.name, p.wave])).toEqual([
      ['namespaces', 0],
      ['argocd-release', 1],
      ['cert-manager-release', 1],
      // Prow's objects wait for the ProwJob CRD its Application installs.
      ['prowjob-crd', 1],
      ['prometheus-operator', 1],
      ['cert-manager', 2],
      ['greenhouse', 1],
      ['docker-proxy', 1],
      ['ci-search', 1],
      ['build-cluster', 1],
      ['prow', 2],
      // The monitoring stack's own objects wait for prometheus-operator's CRDs; Grafana uses none.
      ['prometheus', 2],
      ['thanos', 2],
      ['grafana', 1],
    ]);
  });

  it('has a root Application that syncs its directory in the roots project', () => {
    expect(argoObject(rendered, 'ibm-prow-jobs', 'Application', 'ibm-prow-jobs-root')).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: 'ibm-prow-jobs-root',
        namespace: 'argocd',
        labels: { 'app.kubernetes.io/part-of': 'kubevirt-ci', 'ci.kubevirt.io/cluster': 'ibm-prow-jobs', 'ci.kubevirt.io/role': 'control-plane' },
        annotations: {
          'argocd.argoproj.io/sync-wave': '0',
          'ci.kubevirt.io/description': 'app of apps for cluster ibm-prow-jobs: its AppProject and one Application per app',
        },
        finalizers: ['resources-finalizer.argocd.argoproj.io/foreground'],
      },
      spec: {
        project: rootsProject,
        destination: { name: 'in-cluster', namespace: 'argocd' },
        source: { repoURL: repo, targetRevision: 'main', path: 'clusters/control-plane/manifests/ibm-prow-jobs', directory: { recurse: false } },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
          syncOptions: ['FailOnSharedResource=true', 'PruneLast=true'],
        },
      },
    });
  });

  it('has an AppProject allowing exactly its repos, namespaces and kinds', () => {
    expect(argoObject(rendered, 'ibm-prow-jobs', 'AppProject', 'ibm-prow-jobs')['spec']).toEqual({
      description: 'Everything Argo CD deploys to cluster ibm-prow-jobs (role control-plane).',
      sourceRepos: ['https://charts.jetstack.io', 'https://github.com/argoproj/argo-cd', 'https://github.com/kubernetes-sigs/prow', repo, 'https://github.com/prometheus-operator/prometheus-operator'],
      destinations: ['argocd', 'cert-manager', 'ci-search', 'docker-proxy', 'kubevirt-prow', 'kubevirt-prow-jobs', 'monitoring'].map((namespace) => ({ name: 'in-cluster', namespace })),
      clusterResourceWhitelist: [
        { group: 'cert-manager.io', kind: 'ClusterIssuer' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
        { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
        { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
        { group: '', kind: 'Namespace' },
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
      ],
      namespaceResourceWhitelist: [
        { group: 'monitoring.coreos.com', kind: 'Alertmanager' },
        { group: 'monitoring.coreos.com', kind: 'AlertmanagerConfig' },
        { group: 'cert-manager.io', kind: 'Certificate' },
        { group: '', kind: 'ConfigMap' },
        { group: 'batch', kind: 'CronJob' },
        { group: 'apps', kind: 'DaemonSet' },
        { group: 'apps', kind: 'Deployment' },
        { group: 'networking.k8s.io', kind: 'Ingress' },
        { group: '', kind: 'LimitRange' },
        { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
        { group: '', kind: 'PersistentVolumeClaim' },
        { group: 'policy', kind: 'PodDisruptionBudget' },
        { group: 'monitoring.coreos.com', kind: 'Probe' },
        { group: 'monitoring.coreos.com', kind: 'Prometheus' },
        { group: 'monitoring.coreos.com', kind: 'PrometheusRule' },
        { group: 'rbac.authorization.k8s.io', kind: 'Role' },
        { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
        { group: '', kind: 'Secret' },
        { group: '', kind: 'Service' },
        { group: '', kind: 'ServiceAccount' },
        { group: 'monitoring.coreos.com', kind: 'ServiceMonitor' },
        { group: 'apps', kind: 'StatefulSet' },
      ],
    });
  });

  it('gives every child Application the one sync policy, finalizer and destination', () => {
    const children = cp.argo.filter((m) => m.kind === 'Application' && m.metadata.name !== 'ibm-prow-jobs-root');
    expect(children.map((m) => m.metadata.name)).toEqual([
      'ibm-prow-jobs-namespaces',
      'ibm-prow-jobs-argocd-release',
      'ibm-prow-jobs-cert-manager-release',
      'ibm-prow-jobs-prowjob-crd',
      'ibm-prow-jobs-prometheus-operator',
      'ibm-prow-jobs-cert-manager',
      'ibm-prow-jobs-greenhouse',
      'ibm-prow-jobs-docker-proxy',
      'ibm-prow-jobs-ci-search',
      'ibm-prow-jobs-build-cluster',
      'ibm-prow-jobs-prow',
      'ibm-prow-jobs-prometheus',
      'ibm-prow-jobs-thanos',
      'ibm-prow-jobs-grafana',
    ]);
    for (const child of children) {
      const spec = child['spec'] as { project: string; destination: { name: string }; syncPolicy: { automated: unknown; retry: unknown; syncOptions: string[] } };
      expect(child.metadata['finalizers']).toEqual(['resources-finalizer.argocd.argoproj.io/foreground']);
      expect(spec.project).toBe('ibm-prow-jobs');
      expect(spec.destination.name).toBe('in-cluster');
      expect(spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(spec.syncPolicy.retry).toEqual({ limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } });
      expect(spec.syncPolicy.syncOptions.slice(0, 2)).toEqual(['FailOnSharedResource=true', 'PruneLast=true']);
    }
    // Server-side apply exactly where large CRDs come in: the upstream releases and the ProwJob CRD.
    const serverSide = children.filter((m) => (m['spec'] as { syncPolicy: { syncOptions: string[] } }).syncPolicy.syncOptions.includes('ServerSideApply=true'));
    expect(serverSide.map((m) => m.metadata.name)).toEqual(['ibm-prow-jobs-argocd-release', 'ibm-prow-jobs-cert-manager-release', 'ibm-prow-jobs-prowjob-crd', 'ibm-prow-jobs-prometheus-operator']);
  });

  it('issues a certificate for every host the seed exposes on it, from the letsencrypt ClusterIssuer', () => {
    const objects = objectsOf(rendered, 'ibm-prow-jobs', 'cert-manager');
    expect(objects.map((m) => [m.kind, m.metadata.namespace, m.metadata.name])).toEqual([
      ['ClusterIssuer', undefined, 'letsencrypt'],
      ['Certificate', 'kubevirt-prow', 'deck-tls'],
      ['Certificate', 'kubevirt-prow', 'gcsweb-tls'],
      ['Certificate', 'monitoring', 'grafana-tls'],
      ['Certificate', 'ci-search', 'ci-search-tls'],
      ['Certificate', 'monitoring', 'thanos-receive-tls'],
    ]);
    expect(objects.slice(1).map((m) => (m['spec'] as { dnsNames: string[] }).dnsNames)).toEqual([
      ['prow.ci.kubevirt.io'],
      ['gcsweb.ci.kubevirt.io'],
      ['grafana.ci.kubevirt.io'],
      ['search.ci.kubevirt.io'],
      ['thanos-receive.ci.kubevirt.io'],
    ]);
    expect(objects.slice(1).map((m) => (m['spec'] as { dnsNames: string[] }).dnsNames[0])).toEqual(
      cp.cluster.exposes.map((e) => exposedServices[e as keyof typeof exposedServices].host),
    );
    expect((objects[0]!['spec'] as { acme: { solvers: unknown } }).acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'public-iks-k8s-nginx' } } }]);
  });

  it('has its committed manifests up to date', () => {
    expect(findDrift(repoRoot, rendered, ['control-plane'])).toEqual([]);
  });

  it('commits nothing but single-object YAML files Argo CD can read', () => {
    const dir = join(repoRoot, 'clusters/control-plane/manifests');
    const files = (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[]).filter((d) => d.isFile());
    expect(files.length).toBe(cp.files.size);
    for (const f of files) {
      const path = join(f.parentPath, f.name);
      expect(f.name).toMatch(/^[a-z0-9.-]+\.yaml$/);
      const docs = parseAllDocuments(readFileSync(path, 'utf8'));
      expect(Array.isArray(docs) ? docs.length : 0, path).toBe(1);
      const obj = (docs as { toJS(): Record<string, unknown> }[])[0]!.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
      expect([typeof obj.apiVersion, typeof obj.kind, typeof obj.metadata?.name], path).toEqual(['string', 'string', 'string']);
    }
  });
});
