import { clusterOf } from '@kubevirt-ci/synth/testing';
import { describe, expect, it } from 'vitest';
import { infrastructureDoc, inventoryOf, layoutDot, layoutSvg, roleTitle, splitImage } from '../src/index.ts';
import { renderFixture } from './fixtures.ts';

const rendered = renderFixture();

describe('inventoryOf', () => {
  const inv = inventoryOf(rendered.topology, clusterOf(rendered, 'ibm-prow-jobs'));

  it('lists images with their versions and who uses them', () => {
    expect(inv.images).toEqual([
      { image: 'quay.io/kubevirtci/ci-search', version: 'sha256:0123', usedBy: ['StatefulSet kubevirt-prow/search'] },
      { image: 'us-docker.pkg.dev/k8s-infra-prow/images/deck', version: 'v20261101-abc', usedBy: ['Deployment kubevirt-prow/deck'] },
    ]);
  });

  it('lists claims with the workloads that mount them, claim templates times replicas, and host paths', () => {
    expect(inv.volumes).toEqual([
      { name: 'kubevirt-prow/data', kind: 'volumeClaimTemplate x 2', size: '50Gi', usedBy: 'StatefulSet kubevirt-prow/search' },
      { name: 'kubevirt-prow/deck-cache', kind: 'PersistentVolumeClaim', size: '30Gi', usedBy: 'Deployment kubevirt-prow/deck' },
      { name: 'kubevirt-prow/docker', kind: 'hostPath /var/lib/docker', size: '(node disk)', usedBy: 'Deployment kubevirt-prow/deck' },
    ]);
  });

  it('lists the Secrets pods read that nothing on the cluster creates, with their keys', () => {
    expect(inv.provided).toEqual([
      { kind: 'Secret', namespace: 'kubevirt-prow', name: 'github-token', keys: ['cert'], usedBy: ['Deployment kubevirt-prow/deck'] },
      { kind: 'Secret', namespace: 'kubevirt-prow', name: 'hmac-token', keys: ['hmac'], usedBy: [] },
    ]);
  });

  it('lists hosts with their Service and certificate Secret, and Applications in wave order', () => {
    expect(inv.hosts).toEqual([{ host: 'prow.ci.kubevirt.io', service: 'kubevirt-prow/deck:80', tlsSecret: 'kubevirt-prow/deck-tls' }]);
    expect(inv.applications.map((a) => [a.name, a.wave, a.source])).toEqual([
      ['ibm-prow-jobs-namespaces', 0, 'clusters/control-plane/manifests/ibm-prow-jobs/namespaces/'],
      ['ibm-prow-jobs-cert-manager-release', 1, 'https://charts.jetstack.io chart cert-manager v1.19.4'],
      ['ibm-prow-jobs-web', 1, 'clusters/control-plane/manifests/ibm-prow-jobs/web/'],
      ['ibm-prow-jobs-cert-manager', 2, 'clusters/control-plane/manifests/ibm-prow-jobs/cert-manager/'],
    ]);
  });

  it('splits image references', () => {
    expect(splitImage('quay.io/a/b:v1')).toEqual(['quay.io/a/b', 'v1']);
    expect(splitImage('localhost:5000/b')).toEqual(['localhost:5000/b', '(no tag)']);
    expect(splitImage('b@sha256:ab')).toEqual(['b', 'sha256:ab']);
  });
});

describe('infrastructureDoc', () => {
  const doc = infrastructureDoc(rendered);
  const section = (start: string, end: string) => doc.slice(doc.indexOf(start), doc.indexOf(end, doc.indexOf(start)));

  it("gives each cluster the seed document's fields", () => {
    expect(section('### Control plane: `ibm-prow-jobs`', '#### What is rendered')).toBe(
      [
        '### Control plane: `ibm-prow-jobs`\n',
        'The hub.\n',
        'Runs Prow.\n',
        '#### Context\n\nibm-prow-jobs\n',
        '#### Components\n\n* cert-manager: manages TLS certificates for our web services.\n* deck: shows jobs.\n',
        '#### External services\n\n* GitHub (org `kubevirt`): Prow receives webhooks about events such as comments and new pull requests, reports job status, comments on issues and merges pull requests.\n' +
          '* GCS: we use buckets to store:\n  * `gs://kubevirt-prow`: Prow build results\n  * `gs://kubevirt-prow-thanos`: Thanos blocks\n' +
          '* Quay (`quay.io/kubevirtci`): the container image registry for test images and image artifacts.\n',
        '#### Connected clusters\n\n* `prow-workloads`: schedules jobs on it.\n',
        '#### Exposed services\n\n* deck: Prow UI, available at https://prow.ci.kubevirt.io\n',
        '',
      ].join('\n'),
    );
  });

  it('lists the objects to provide as a table', () => {
    expect(section('Objects that must be provided', 'Job presets')).toBe(
      'Objects that must be provided (never in git):\n\n| Namespace | Kind | Name | Keys | Used by |\n|---|---|---|---|---|\n| `kubevirt-prow` | Secret | `github-token` | `cert` | Deployment kubevirt-prow/deck |\n| `kubevirt-prow` | Secret | `hmac-token` | `hmac` |  |\n\n',
    );
  });

  it('describes the external KubeVirtCI clusters and their rules', () => {
    expect(section('### ARM cluster', '### Performance cluster')).toBe(
      '### ARM cluster\n\nRuns ARM test jobs.\n\n' +
        "* Kubeconfig: Secret `kubevirtci-arm-kubeconfig`, key `kubeconfig`, provided separately; it is not in Prow's kubeconfig.\n" +
        '* At most 1 job at a time: every job that uses the cluster has `max_concurrency: 1`.\n\n',
    );
  });

  it('titles roles in words', () => {
    expect([roleTitle('control-plane'), roleTitle('workloads')]).toEqual(['Control plane', 'Workloads']);
  });
});

describe('layout', () => {
  it('draws every cluster as a group with its components, and the flows between them', () => {
    const dot = layoutDot(rendered);
    expect(dot.match(/subgraph "cluster_[^"]+"/g)).toEqual(['subgraph "cluster_ibm-prow-jobs"', 'subgraph "cluster_prow-workloads"']);
    expect(dot).toContain('"ibm-prow-jobs/deck" [label="deck"];');
    expect(dot).toContain('"prow-workloads/Prometheus" [label="Prometheus"];');
    expect(dot).not.toContain('no apps enabled yet');
    expect(dot.split('\n').filter((l) => l.includes(' -> ')).map((l) => l.trim().replace(/ \[.*?label="([^"]*)".*$/, ' : $1'))).toEqual([
      '"ibm-prow-jobs/anchor" -> "prow-workloads/anchor" : schedules jobs',
      '"ibm-prow-jobs/anchor" -> github : webhooks',
      '"ibm-prow-jobs/anchor" -> "gcs/kubevirt-prow" : stores',
      '"ibm-prow-jobs/anchor" -> "gcs/kubevirt-prow-thanos" : stores',
      '"ibm-prow-jobs/anchor" -> quay : pulls images',
      '"prow-workloads/anchor" -> "gcs/kubevirt-prow" : stores',
      '"prow-workloads/anchor" -> quay : pulls images',
      '"ibm-prow-jobs/deck" -> github : webhooks',
      '"ibm-prow-jobs/deck" -> "prow-workloads/Prometheus" : metrics',
      '"ibm-prow-jobs/deck" -> "gcs/kubevirt-prow" : job results',
      '"prow-workloads/anchor" -> "kubevirtci/arm" : jobs connect',
      '"prow-workloads/anchor" -> "kubevirtci/performance" : jobs connect',
    ]);
  });

  it('draws declared flows into the component, reversed, and out of it', () => {
    const lines = layoutDot(rendered).split('\n');
    expect(lines.find((l) => l.includes('"ibm-prow-jobs/deck" -> github'))?.trim()).toBe(
      '"ibm-prow-jobs/deck" -> github [label="webhooks", color="#6a1b9a", fontcolor="#6a1b9a", dir=back];',
    );
    expect(lines.find((l) => l.includes('job results'))?.trim()).toBe(
      '"ibm-prow-jobs/deck" -> "gcs/kubevirt-prow" [label="job results", color="#1565c0", fontcolor="#1565c0"];',
    );
  });

  it('grows with the topology: a second workloads cluster is a second group', () => {
    const dot = layoutDot(renderFixture(['prow-workloads', 'prow-arm64-workloads']));
    expect(dot.match(/subgraph "cluster_[^"]+"/g)).toEqual([
      'subgraph "cluster_ibm-prow-jobs"',
      'subgraph "cluster_prow-workloads"',
      'subgraph "cluster_prow-arm64-workloads"',
    ]);
    expect(dot).toContain('"ibm-prow-jobs/anchor" -> "prow-arm64-workloads/anchor" [label="schedules jobs"');
  });

  it('renders the same SVG bytes every time', async () => {
    const [a, b] = [await layoutSvg(rendered), await layoutSvg(renderFixture())];
    expect(a).toBe(b);
    expect(a.startsWith('<?xml')).toBe(true);
    expect(a).toContain('>Control plane</text>');
  });
});
