import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { builtinClusterKinds, containersOf, emitModel, formatGroupKind, groupKindKey, groupOf, namespace, parseQuantity, podSpecOf, secretRefsOf } from '../src/index.ts';

function chart(): Chart {
  return new Chart(new App(), 'test');
}

describe('namespace', () => {
  it('enforces its pod security level, warns and audits at restricted, and is never pruned nor deleted with its Application', () => {
    const c = chart();
    namespace(c, 'ci-search', { purpose: 'indexes CI logs', podSecurity: 'restricted' });
    expect(c.toJson()).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'ci-search',
          labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' },
          annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false', 'ci.kubevirt.io/purpose': 'indexes CI logs' },
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

describe('pod specs', () => {
  const cronJob = {
    kind: 'CronJob',
    spec: {
      jobTemplate: {
        spec: {
          template: {
            spec: {
              initContainers: [{ name: 'init', image: 'quay.io/kubevirtci/init:v1' }],
              containers: [
                {
                  name: 'label-sync',
                  image: 'us-docker.pkg.dev/k8s-infra-prow/images/label_sync:v20261101',
                  env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'github-token', key: 'cert' } } }],
                  envFrom: [{ secretRef: { name: 'slack-token' } }],
                },
              ],
              volumes: [
                { name: 'token', secret: { secretName: 'github-token', items: [{ key: 'appid' }] } },
                { name: 'config', configMap: { name: 'label-config' } },
              ],
              imagePullSecrets: [{ name: 'quay-pull' }],
            },
          },
        },
      },
    },
  };

  it('finds the pod spec of every workload kind, and none elsewhere', () => {
    expect(podSpecOf(cronJob)?.path).toBe('spec.jobTemplate.spec.template.spec');
    expect(podSpecOf({ kind: 'Deployment', spec: { template: { spec: { containers: [] } } } })?.path).toBe('spec.template.spec');
    expect(podSpecOf({ kind: 'Pod', spec: { containers: [] } })?.path).toBe('spec');
    expect(podSpecOf({ kind: 'ConfigMap' })).toBeUndefined();
    expect(podSpecOf({ kind: 'Deployment', spec: {} })).toBeUndefined();
  });

  it('lists containers, init containers first', () => {
    expect(containersOf(podSpecOf(cronJob)!.spec).map((c) => c.name)).toEqual(['init', 'label-sync']);
  });

  it('collects the Secrets a pod reads and the keys it names', () => {
    expect(secretRefsOf(podSpecOf(cronJob)!.spec)).toEqual(
      new Map([
        ['github-token', new Set(['appid', 'cert'])],
        ['slack-token', new Set()],
        ['quay-pull', new Set()],
      ]),
    );
  });
});

describe('parseQuantity', () => {
  it('reads binary and decimal suffixes into bytes', () => {
    expect([parseQuantity('700Gi'), parseQuantity('1.5Ti'), parseQuantity('450G'), parseQuantity('64Mi'), parseQuantity('1024')]).toEqual([
      700 * 2 ** 30,
      1.5 * 2 ** 40,
      450e9,
      64 * 2 ** 20,
      1024,
    ]);
  });

  it('refuses what is not a quantity, saying what one looks like', () => {
    expect(() => parseQuantity('700GB')).toThrow('"700GB" is not a Kubernetes quantity such as 700Gi');
    expect(() => parseQuantity('')).toThrow('is not a Kubernetes quantity');
  });
});
