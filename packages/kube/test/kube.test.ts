import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { builtinClusterKinds, emitModel, formatGroupKind, groupKindKey, groupOf, namespace } from '../src/index.ts';

function chart(): Chart {
  return new Chart(new App(), 'test');
}

describe('namespace', () => {
  it('enforces its pod security level, warns and audits at restricted, and is never pruned', () => {
    const c = chart();
    namespace(c, 'ci-search', { purpose: 'indexes CI logs', podSecurity: 'restricted' });
    expect(c.toJson()).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'ci-search',
          labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' },
          annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false', 'ci.kubevirt.io/purpose': 'indexes CI logs' },
        },
      },
    ]);
  });

  it('records why a namespace is below restricted', () => {
    const c = chart();
    namespace(c, 'kubevirt-prow-jobs', { purpose: 'jobs', podSecurity: 'privileged', podSecurityReason: 'KubeVirtCI runs privileged' });
    const [ns] = c.toJson() as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } }[];
    expect(ns!.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns!.metadata.annotations['ci.kubevirt.io/pod-security-reason']).toBe('KubeVirtCI runs privileged');
  });
});

describe('emitModel', () => {
  it('emits a custom resource that matches its schema', () => {
    const c = chart();
    emitModel(c, new Certificate({ metadata: { name: 'deck-tls', namespace: 'kubevirt-prow' }, spec: { secretName: 'deck-tls', issuerRef: { name: 'letsencrypt' } } }));
    expect(c.toJson()).toEqual([
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'deck-tls', namespace: 'kubevirt-prow' },
        spec: { secretName: 'deck-tls', issuerRef: { name: 'letsencrypt' } },
      },
    ]);
  });

  it('names the object when it does not match its schema', () => {
    const bad = new Certificate({ metadata: { name: 'deck-tls', namespace: 'kubevirt-prow' }, spec: { issuerRef: { name: 'letsencrypt' } } as never });
    expect(() => emitModel(chart(), bad)).toThrow("Certificate kubevirt-prow/deck-tls does not match its schema: data/spec must have required property secretName");
  });
});

describe('group and kind', () => {
  it('splits the group out of an apiVersion', () => {
    expect([groupOf('v1'), groupOf('apps/v1'), groupOf('cert-manager.io/v1')]).toEqual(['', 'apps', 'cert-manager.io']);
  });
  it('formats and keys kinds', () => {
    expect(formatGroupKind({ group: '', kind: 'Namespace' })).toBe('Namespace');
    expect(formatGroupKind({ group: 'apps', kind: 'Deployment' })).toBe('Deployment.apps');
    expect(groupKindKey({ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' })).toBe('rbac.authorization.k8s.io/ClusterRole');
  });
  it('knows which built-in kinds are cluster-scoped', () => {
    expect(builtinClusterKinds.has('/Namespace')).toBe(true);
    expect(builtinClusterKinds.has('rbac.authorization.k8s.io/ClusterRole')).toBe(true);
    expect(builtinClusterKinds.has('rbac.authorization.k8s.io/Role')).toBe(false);
    expect(builtinClusterKinds.has('/ConfigMap')).toBe(false);
  });
});
