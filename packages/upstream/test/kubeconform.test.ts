import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versions } from '@kubevirt-ci/topology';
import { validateFiles } from '@kubevirt-ci/validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crdSources, kubernetesApi, prepareKubeconform, schemaFileName, schemaSet, strictify, type Kubeconform } from '../src/index.ts';

describe("kubeconform's schema files", () => {
  it('are named as kubeconform looks them up: kind, the first label of the group, the version', () => {
    expect([
      schemaFileName('', 'v1', 'Service'),
      schemaFileName('apps', 'v1', 'Deployment'),
      schemaFileName('rbac.authorization.k8s.io', 'v1', 'ClusterRole'),
      schemaFileName('cert-manager.io', 'v1', 'ClusterIssuer'),
      schemaFileName('monitoring.coreos.com', 'v1', 'PrometheusRule'),
    ]).toEqual(['service-v1.json', 'deployment-apps-v1.json', 'clusterrole-rbac-v1.json', 'clusterissuer-cert-manager-v1.json', 'prometheusrule-monitoring-v1.json']);
  });

  it('refuse unknown properties wherever properties are listed, but not where unknown fields are kept', () => {
    const schema = {
      type: 'object',
      properties: { spec: { type: 'object', properties: { a: { type: 'string', nullable: true } } }, extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { b: {} } } },
      default: { spec: { properties: 'kept as it is' } },
    };
    expect(strictify(schema)).toEqual({
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { a: { type: ['string', 'null'], nullable: true } }, additionalProperties: false },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { b: {} } },
      },
      default: { spec: { properties: 'kept as it is' } },
      additionalProperties: false,
    });
  });

  it('come from the pinned Kubernetes patch of the pinned minor and from the releases we install', () => {
    expect(kubernetesApi(versions).version.startsWith(`v${versions.kubernetes}.`)).toBe(true);
    expect(crdSources(versions).map((s) => `${s.module}@${s.version}`)).toEqual([
      `github.com/argoproj/argo-cd/v3@${versions.argocd}`,
      `github.com/cert-manager/cert-manager@${versions.certManager}`,
      `github.com/prometheus-operator/prometheus-operator@${versions.prometheusOperator.tag}`,
    ]);
  });
});

describe('the pinned kubeconform, for real', () => {
  let k: Kubeconform;
  let dir: string;
  beforeAll(() => {
    const prepared = prepareKubeconform(versions, () => undefined);
    if ('unavailable' in prepared) throw new Error(`kubeconform could not be prepared here: ${prepared.unavailable}`);
    k = prepared;
    dir = mkdtempSync(join(tmpdir(), 'kubeconform-real-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function findings(yaml: string): Promise<string[]> {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    const report = await validateFiles(new Map([[file, yaml]]), { kubernetesVersion: versions.kubernetes, kubeconform: k, provided: [{ kind: 'Namespace', name: 'ci' }, { kind: 'Namespace', name: 'monitoring' }] });
    // kubeconform's own order follows Go's map iteration, so it varies from run to run.
    return report.findings.filter((f) => f.rule.startsWith('kubeconform/')).map((f) => `${f.object?.kind} ${f.path}: ${f.message}`).sort();
  }

  it('refuses what the pinned Kubernetes API would: a wrong type and an unknown field, each at its own path', async () => {
    const deployment =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: deck, namespace: ci}\nspec:\n  replicas: "3"\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: deck, image: "deck:1", imagePullPolice: Always}]\n';
    expect(await findings(deployment)).toEqual(['Deployment spec.replicas: got string, want integer', "Deployment spec.template.spec.containers[0]: additional properties 'imagePullPolice' not allowed"]);
  });

  it('refuses a field the pinned CRD does not have, which the API server would drop', async () => {
    // A misspelt thanos.volumeMounts: the sidecar would silently get no TLS files.
    const prometheus = 'apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: main, namespace: monitoring}\nspec:\n  thanos:\n    volumeMount: [{name: secret-thanos-grpc-tls, mountPath: /etc/prometheus/secrets/thanos-grpc-tls}]\n';
    expect(await findings(prometheus)).toEqual(["Prometheus spec.thanos: additional properties 'volumeMount' not allowed"]);
  });

  it('accepts a port by name or number, and a quantity as a number', async () => {
    const ok =
      'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ci}\nspec:\n  selector: {a: b}\n  ports: [{name: a, port: 80, targetPort: 8080}, {name: b, port: 81, targetPort: http}]\n---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: ci}\nspec:\n  limits: [{type: Container, default: {cpu: 1, memory: 1Gi}}]\n';
    expect(await findings(ok)).toEqual([]);
  });
});

describe('a ProwJob against a 2024 ProwJob CRD', () => {
  // Before issue 16 the CRD came from kubernetes-sigs/prow 0ee99b9 (2024-06-17), whose schema
  // has no status.pod_revival_count (added as PodRevivalCount in d4ccd1421, 2025-04-18): the
  // API server would prune what plank writes there, and its revival cap would never hold.
  // The proxy does not serve 0ee99b9, nor the commit our images are built from; it serves
  // cfb8754 (2024-06-19), whose CRD lacks the field too, so that is the old CRD here.
  const oldCrd = { module: 'sigs.k8s.io/prow', version: 'v0.0.0-20240619181241-cfb8754e0459', path: 'config/prow/cluster/prowjob-crd' };

  it('is refused at status.pod_revival_count, the field the old CRD would drop', async () => {
    const k = prepareKubeconform(versions, () => undefined);
    if ('unavailable' in k) throw new Error(k.unavailable);
    const old = schemaSet(kubernetesApi(versions), [oldCrd], () => undefined);
    const tmp = mkdtempSync(join(tmpdir(), 'prowjob-'));
    try {
      const file = join(tmp, 'prowjob.yaml');
      const yaml =
        'apiVersion: prow.k8s.io/v1\nkind: ProwJob\nmetadata: {name: j, namespace: kubevirt-prow-jobs}\nspec: {type: periodic, job: j, agent: kubernetes}\nstatus: {state: pending, startTime: "2026-12-01T00:00:00Z", pod_revival_count: 1}\n';
      writeFileSync(file, yaml);
      const report = await validateFiles(new Map([[file, yaml]]), { kubernetesVersion: versions.kubernetes, kubeconform: { ...k, schemaLocations: [old.location] }, provided: [{ kind: 'Namespace', name: 'kubevirt-prow-jobs' }] });
      expect(report.findings.filter((f) => f.rule.startsWith('kubeconform/')).map((f) => `${f.path}: ${f.message}`)).toEqual(["status: additional properties 'pod_revival_count' not allowed"]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('without Go', () => {
  it('says in one line what could not be prepared, and how to get it', () => {
    const cache = mkdtempSync(join(tmpdir(), 'no-go-'));
    try {
      const r = prepareKubeconform(versions, () => undefined, { PATH: '/nonexistent', KUBEVIRT_CI_CACHE: cache, HOME: cache });
      expect(r).toEqual({ unavailable: 'no Go toolchain on PATH (spawnSync go ENOENT); install Go 1.26 so the tests can build the upstream programs at our pins' });
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('every generated schema', () => {
  it('compiles in kubeconform: a bare object of each kind is judged, never "could not find schema"', async () => {
    const prepared = prepareKubeconform(versions, () => undefined);
    if ('unavailable' in prepared) throw new Error(prepared.unavailable);
    const dir = prepared.schemaLocations[0]!.slice(0, prepared.schemaLocations[0]!.indexOf('/{{'));
    const kinds = readdirSync(join(dir, `v${prepared.kubernetesVersion}-standalone-strict`));
    expect(kinds.length).toBeGreaterThan(150);
    // kubeconform compiles a schema it cannot parse silently into "could not find schema".
    const docs = kinds.map((f) => {
      const schema = JSON.parse(readFileSync(join(dir, `v${prepared.kubernetesVersion}-standalone-strict`, f), 'utf8')) as { properties?: { kind?: { enum?: string[] } }; 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] };
      const gvk = schema['x-kubernetes-group-version-kind']?.[0];
      return gvk ? `apiVersion: ${gvk.group ? `${gvk.group}/` : ''}${gvk.version}\nkind: ${gvk.kind}\nmetadata: {name: x}\n` : undefined;
    });
    const builtIn = docs.filter((d): d is string => d !== undefined);
    expect(builtIn.length).toBeGreaterThan(100);
    const tmp = mkdtempSync(join(tmpdir(), 'kubeconform-all-'));
    try {
      const file = join(tmp, 'all.yaml');
      writeFileSync(file, builtIn.join('---\n'));
      const r = spawnSync(prepared.bin, ['-strict', '-output', 'json', '-kubernetes-version', prepared.kubernetesVersion, '-schema-location', prepared.schemaLocations[0]!, file], { encoding: 'utf8' });
      const resources = (JSON.parse(r.stdout) as { resources: { kind: string; msg?: string }[] }).resources;
      expect(resources.filter((x) => /could not find schema/.test(x.msg ?? '')).map((x) => x.kind)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
