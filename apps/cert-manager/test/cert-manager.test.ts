import { render } from '@kubevirt-ci/synth';
import { argoObject, clusterSpec, objectsOf, problemsFrom } from '@kubevirt-ci/synth/testing';
import { defineRole, defineTopology, enable, type ClusterSpec } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { app } from '../src/index.ts';

const here = 'apps/cert-manager/test/cert-manager.test.ts';

function renderHub(values?: Parameters<typeof enable<typeof app.values>>[1], spec: Partial<ClusterSpec> = {}) {
  const hub = defineRole({
    role: 'hub',
    description: 'h',
    hub: true,
    apps: [enable(app, values)],
    clusters: [clusterSpec('hub-1', { exposes: ['deck', 'grafana'], ingressClassName: 'nginx', ...spec })],
  });
  return render(defineTopology({ apps: [app], roles: [hub] }));
}

describe('the cert-manager app', () => {
  const rendered = renderHub();

  it('renders the letsencrypt ClusterIssuer solving HTTP-01 through the cluster ingress class', () => {
    expect(objectsOf(rendered, 'hub-1', 'cert-manager')[0]).toEqual({
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: 'letsencrypt' },
      spec: {
        acme: {
          server: 'https://acme-v02.api.letsencrypt.org/directory',
          privateKeySecretRef: { name: 'letsencrypt-account-key' },
          solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }],
        },
      },
    });
  });

  it('signs certificates with a private CA from a provided Secret, for a cluster the internet cannot reach (kind)', () => {
    const privately = renderHub({ issuer: 'privateCa' });
    const objects = objectsOf(privately, 'hub-1', 'cert-manager');
    expect(objects[0]).toEqual({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'private-ca' }, spec: { ca: { secretName: 'private-ca' } } });
    expect(objects.slice(1).map((c) => (c['spec'] as { issuerRef: unknown }).issuerRef)).toEqual([
      { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'private-ca' },
      { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'private-ca' },
    ]);
    expect(privately.clusters[0]!.provided.map((p) => [p.namespace, p.name, p.keys])).toEqual([['cert-manager', 'private-ca', ['tls.crt', 'tls.key']]]);
    expect(rendered.clusters[0]!.provided).toEqual([]);
  });

  it("renders a Certificate for each exposed host, in the namespace of the host's Service", () => {
    expect(objectsOf(rendered, 'hub-1', 'cert-manager').slice(1)).toEqual([
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'deck-tls', namespace: 'kubevirt-prow' },
        spec: {
          secretName: 'deck-tls',
          dnsNames: ['prow.ci.kubevirt.io'],
          issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' },
          privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        },
      },
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'grafana-tls', namespace: 'monitoring' },
        spec: {
          secretName: 'grafana-tls',
          dnsNames: ['grafana.ci.kubevirt.io'],
          issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' },
          privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        },
      },
    ]);
  });

  it('creates its own namespace and those its certificates land in', () => {
    expect(rendered.clusters[0]!.namespaces).toEqual(['cert-manager', 'kubevirt-prow', 'monitoring']);
  });

  it('installs the pinned chart with its CRDs before our issuer and certificates', () => {
    const spec = argoObject(rendered, 'hub-1', 'Application', 'hub-1-cert-manager-release')['spec'] as Record<string, unknown>;
    expect(spec['source']).toEqual({
      repoURL: 'https://charts.jetstack.io',
      chart: 'cert-manager',
      targetRevision: 'v1.19.4',
      helm: {
        releaseName: 'cert-manager',
        valuesObject: {
          crds: { enabled: true, keep: true },
          global: { leaderElection: { namespace: 'cert-manager' } },
          startupapicheck: { enabled: false },
          resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
          webhook: { resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } } },
          cainjector: { resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } } },
        },
      },
    });
    expect(rendered.clusters[0]!.parts.map((p) => [p.name, p.wave])).toEqual([
      ['namespaces', 0],
      ['cert-manager-release', 1],
      ['cert-manager', 2],
    ]);
  });

  it('takes an ACME server and contact from its values', () => {
    const r = renderHub({ acme: { server: 'https://acme-staging-v02.api.letsencrypt.org/directory', email: 'ci@example.org' } });
    expect((objectsOf(r, 'hub-1', 'cert-manager')[0]!['spec'] as { acme: object }).acme).toMatchObject({
      server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
      email: 'ci@example.org',
    });
  });

  it('rejects a malformed contact address and an unknown value, naming the field', () => {
    const problems = problemsFrom(() => renderHub({ acme: { email: 'not-an-address' }, replicas: 3 } as never));
    expect(problems.map((p) => [p.file, p.object, p.field, p.message])).toEqual([
      [here, 'cluster "hub-1", app "cert-manager"', 'values.acme.email', 'Invalid email address'],
      [here, 'cluster "hub-1", app "cert-manager"', 'values', 'Unrecognized key: "replicas"'],
    ]);
  });
});
