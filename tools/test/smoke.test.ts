import { execFile, execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadTopology, render, type Manifest, type Rendered, type RenderedCluster } from '@kubevirt-ci/synth';
import { repoRoot } from '@kubevirt-ci/topology';
import { counts, formatText, validateFiles } from '@kubevirt-ci/validate';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderedContext } from '../src/lib/validation.ts';
import { signWebhook, systemChecks } from '../src/smoke/checks.ts';
import { serveGit, type GitServer } from '../src/smoke/git-server.ts';
import { kindConfig, preflight } from '../src/smoke/kind.ts';
import { makeSecrets, placeholderObjects, type SmokeSecrets } from '../src/smoke/placeholders.ts';
import { applicationLines, eventLines, failingPods, type PodObject } from '../src/smoke/report.ts';
import { publishVariant, servedRepo, smokeBranch } from '../src/smoke/repo.ts';
import { fakeDockerfile, fakeGitHub } from '../src/smoke/fakes.ts';
import { kindTopology } from '../src/smoke/topology.ts';

const repoURL = 'http://172.18.0.1:8418/project-infra.git';
// An address from the documentation range (RFC 5737): the real one is the hub's kind node.
const hubAddress = '192.0.2.10';
let kind: Rendered;
let hub: RenderedCluster;
let spoke: RenderedCluster;
let secrets: SmokeSecrets;

beforeAll(async () => {
  kind = render(kindTopology(await loadTopology(), { repoURL, revision: smokeBranch, hubAddress }));
  hub = kind.clusters.find((rc) => rc.cluster.hub)!;
  spoke = kind.clusters.find((rc) => !rc.cluster.hub)!;
  secrets = makeSecrets(kind);
});

/** The workloads clusters of the kind variant, however many the topology has. */
const spokes = () => kind.clusters.filter((rc) => !rc.cluster.hub);
const objects = (rc: RenderedCluster) => rc.parts.flatMap((p) => p.objects);
const find = (rc: RenderedCluster, kind: string, name: string): Manifest => objects(rc).find((o) => o.kind === kind && o.metadata.name === name)!;

describe('the kind variant', () => {
  it('synthesizes and validates clean', async () => {
    const files = new Map(kind.clusters.flatMap((rc) => [...rc.files.entries()]));
    const cwd = process.cwd();
    process.chdir(repoRoot);
    try {
      const report = await validateFiles(files, { kubernetesVersion: kind.topology.versions.kubernetes, kubeconform: false, ...renderedContext(kind) });
      expect(counts(report)).toEqual({ errors: 0, warnings: 0 });
      expect(formatText(report)).toBe(`0 errors, 0 warnings in ${files.size} files (${files.size} objects)\n`);
    } finally {
      process.chdir(cwd);
    }
  });

  it("is the same apps on the same clusters, and Prow's fakes beside Prow, read from the smoke git server", async () => {
    const appsByCluster = (r: Rendered) => r.clusters.map((rc) => [rc.cluster.name, rc.cluster.apps.map((a) => a.app.name)]);
    expect(appsByCluster(kind)).toEqual(appsByCluster(render(await loadTopology())).map(([c, apps]) => [c, c === hub.cluster.name ? [...apps!, 'prow-fakes'] : apps]));
    expect(appsByCluster(kind).slice(0, 2)).toEqual([
      ['ibm-prow-jobs', ['argocd', 'cert-manager', 'greenhouse', 'docker-proxy', 'ci-search', 'build-cluster', 'prow', 'prometheus', 'thanos', 'grafana', 'prow-fakes']],
      ['prow-workloads', ['build-cluster', 'greenhouse', 'docker-proxy', 'prometheus']],
    ]);
    const root = hub.argo.find((m) => m.metadata.name === 'ibm-prow-jobs-root')!;
    expect((root['spec'] as { source: { repoURL: string; targetRevision: string } }).source).toMatchObject({ repoURL, targetRevision: 'smoke' });
  });

  it('issues certificates from a private CA for test hostnames behind the kind ingress controller', () => {
    expect(find(hub, 'ClusterIssuer', 'private-ca')['spec']).toEqual({ ca: { secretName: 'private-ca' } });
    expect(objects(hub).filter((o) => o.kind === 'Certificate').map((c) => [(c['spec'] as { dnsNames: string[] }).dnsNames[0], (c['spec'] as { issuerRef: { name: string } }).issuerRef.name])).toEqual([
      ['prow.kubevirt-ci.test', 'private-ca'],
      ['gcsweb.kubevirt-ci.test', 'private-ca'],
      ['grafana.kubevirt-ci.test', 'private-ca'],
      ['search.kubevirt-ci.test', 'private-ca'],
      ['thanos-receive.kubevirt-ci.test', 'private-ca'],
    ]);
    const ingresses = objects(hub).filter((o) => o.kind === 'Ingress');
    expect(ingresses.length).toBeGreaterThan(0);
    expect(new Set(ingresses.map((i) => (i['spec'] as { ingressClassName: string }).ingressClassName))).toEqual(new Set(['nginx']));
  });

  it("keeps data in small claims on the default storage class, and has the spoke write to the hub's node, trusting the private CA", () => {
    const all = kind.clusters.flatMap(objects);
    expect(all.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    const sizes = all.filter((o) => o.kind === 'PersistentVolumeClaim').map((claim) => (claim['spec'] as { storageClassName?: string; resources: { requests: { storage: string } } }));
    expect(sizes.length).toBeGreaterThan(0);
    for (const claim of sizes) {
      expect(claim.storageClassName).toBeUndefined();
      expect(['1Gi', '2Gi', '6Gi']).toContain(claim.resources.requests.storage);
    }
    const p = find(spoke, 'Prometheus', 'main')['spec'] as { remoteWrite: { url: string; tlsConfig: { ca?: unknown } }[]; hostAliases: unknown };
    expect([p.remoteWrite[0]!.url, p.remoteWrite[0]!.tlsConfig.ca, p.hostAliases]).toEqual([
      'https://thanos-receive.kubevirt-ci.test/api/v1/receive',
      { secret: { name: 'prometheus-remote-write-tls', key: 'ca.crt' } },
      [{ ip: hubAddress, hostnames: ['thanos-receive.kubevirt-ci.test'] }],
    ]);
    expect(all.filter((o) => o.kind === 'Service').map((o) => (o['spec'] as { type?: string }).type ?? 'ClusterIP').filter((t) => t === 'LoadBalancer' || t === 'NodePort')).toEqual([]);
  });
});

describe("Prow's fakes", () => {
  it('are built from the pinned Prow commit with the Go its go.mod names, and never pulled', () => {
    const { prow } = kind.topology.versions;
    expect(fakeDockerfile(fakeGitHub, kind.topology.versions)).toBe(
      [
        'FROM docker.io/library/golang:1.25.8 AS build',
        `RUN git clone --filter=blob:none https://github.com/kubernetes-sigs/prow /src && git -C /src checkout --quiet ${prow.commit}`,
        'WORKDIR /src',
        'RUN CGO_ENABLED=0 go build -o /out/fakeghserver ./test/integration/cmd/fakeghserver',
        'FROM gcr.io/distroless/static-debian12:nonroot',
        'COPY --from=build /out/fakeghserver /fakeghserver',
        'ENTRYPOINT ["/fakeghserver"]',
        '',
      ].join('\n'),
    );
    const images = objects(hub).filter((o) => o.kind === 'Deployment' && ['fakeghserver', 'fakegcsserver'].includes(o.metadata.name)).map((d) => (d['spec'] as any).template.spec.containers[0]);
    expect(images.map((c) => [c.image, c.imagePullPolicy])).toEqual([
      [`localhost/kubevirt-ci-smoke/fakeghserver:${prow.commit.slice(0, 12)}`, 'Never'],
      [`localhost/kubevirt-ci-smoke/fakegcsserver:${prow.commit.slice(0, 12)}`, 'Never'],
    ]);
    // fakegcsserver makes the buckets of Prow's config, which it reads from Prow's ConfigMap.
    expect(images[1].args).toEqual(['--emulator-port=8888', '--emulator-public-host=fakegcsserver.kubevirt-prow.svc:80', '--emulator-storage-root=/gcs', '--config-path=/etc/config/config.yaml']);
  });

  it('are what Prow calls: GitHub through ghproxy to the fake as the bot user, GCS through the emulator', () => {
    const container = (name: string) => (find(hub, 'Deployment', name)['spec'] as any).template.spec.containers[0];
    expect(container('ghproxy').args).toContain('--upstream=http://fakeghserver.kubevirt-prow.svc');
    expect(container('crier').args.filter((a: string) => a.startsWith('--github-'))).toEqual(['--github-endpoint=http://ghproxy', '--github-endpoint=http://fakeghserver.kubevirt-prow.svc', '--github-token-path=/etc/github-bot/token', '--github-workers=10']);
    expect(container('statusreconciler').env).toContainEqual({ name: 'STORAGE_EMULATOR_HOST', value: 'fakegcsserver.kubevirt-prow.svc:80' });
    const config = parse(((find(hub, 'ConfigMap', 'config')['data'] as Record<string, string>)['config.yaml'])!);
    // The jobs' clonerefs are told the same, and fakegcsserver makes the bucket decoration uploads to.
    const decoration = config.plank.default_decoration_config_entries[0].config;
    expect([decoration.github_api_endpoints, decoration.gcs_configuration.bucket]).toEqual([['http://ghproxy', 'http://fakeghserver.kubevirt-prow.svc'], 'kubevirt-prow']);
  });
});

describe('the smoke git server', () => {
  let served: string;
  let server: GitServer;
  beforeAll(async () => {
    served = mkdtempSync(join(tmpdir(), 'served-'));
    server = await serveGit(served, '127.0.0.1');
  });
  afterAll(async () => {
    await server.close();
    rmSync(served, { recursive: true, force: true });
  });

  // The server runs in this process, so git runs asynchronously beside it.
  const run = promisify(execFile);
  it("serves this checkout's commit plus the kind manifests to a real git clone over loopback, read-only", async () => {
    const { base, commit } = publishVariant(repoRoot, kind, served);
    expect(base).toBe(execFileSync('git', ['-C', repoRoot, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim());
    const clone = mkdtempSync(join(tmpdir(), 'clone-'));
    try {
      const url = `http://127.0.0.1:${server.port}/${servedRepo}`;
      await run('git', ['clone', '--quiet', '--branch', smokeBranch, url, clone]);
      const git = (...args: string[]) => execFileSync('git', ['-C', clone, ...args], { encoding: 'utf8' }).trim();
      expect([git('rev-parse', 'HEAD'), git('rev-parse', 'HEAD~1'), git('log', '-1', '--format=%s')]).toEqual([commit, base, "smoke: the kind variant's manifests"]);
      const root = parse(readFileSync(join(clone, 'clusters/workloads/manifests/prow-workloads/application-prow-workloads-root.yaml'), 'utf8')) as { spec: { source: { repoURL: string } } };
      expect(root.spec.source.repoURL).toBe(repoURL);
      expect(readFileSync(join(clone, 'apps/README.md'), 'utf8')).toBe(readFileSync(join(repoRoot, 'apps/README.md'), 'utf8'));
      const push = await run('git', ['-C', clone, 'push', '--quiet', url, 'HEAD:refs/heads/other']).then(
        () => 'pushed',
        (err: { stderr?: string }) => String(err.stderr),
      );
      expect(push).toContain('403');
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });
});

describe('the placeholder secrets', () => {
  it('fill every provided object and key but Prow’s kubeconfig, which bootstrap writes', () => {
    for (const rc of kind.clusters) {
      const made = placeholderObjects(rc.provided, secrets);
      expect(made.map((m) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)).toEqual(rc.provided.filter((p) => !p.contexts).map((p) => `${p.kind} ${p.namespace}/${p.name}`));
      for (const [m, p] of made.map((m, i) => [m, rc.provided.filter((o) => !o.contexts)[i]!] as const)) {
        expect(Object.keys(m['data'] as object)).toEqual([...p.keys]);
        expect(Object.values(m['data'] as object).every((v) => String(v).length > 0)).toBe(true);
      }
    }
    expect(hub.provided.find((p) => p.contexts)?.name).toBe('kubeconfig');
  });

  it('sign the StoreAPI certificate with the one smoke CA, for the names Thanos query dials', () => {
    const ca = new X509Certificate(secrets.pki.caCert);
    const leaf = new X509Certificate(secrets.pki.leafCert);
    expect([ca.ca, leaf.verify(ca.publicKey), leaf.checkIssued(ca)]).toEqual([true, true, true]);
    expect(leaf.subjectAltName).toBe('DNS:*.monitoring.svc');
    expect(leaf.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    const tls = placeholderObjects(hub.provided, secrets, hub.cluster.name).find((m) => m.metadata.name === 'thanos-grpc-tls')!;
    expect(Buffer.from((tls['data'] as Record<string, string>)['ca.crt']!, 'base64').toString()).toBe(secrets.pki.caCert);
  });

  it("give each writer a client-only certificate with the CN the hub's ingress admits, and the hub's issuer the CA itself", () => {
    const data = (rc: RenderedCluster, name: string) => {
      const m = placeholderObjects(rc.provided, secrets, rc.cluster.name).find((o) => o.metadata.name === name)!;
      return Object.fromEntries(Object.entries(m['data'] as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    };
    const ca = new X509Certificate(secrets.pki.caCert);
    for (const rc of spokes()) {
      const writer = data(rc, 'prometheus-remote-write-tls');
      const cert = new X509Certificate(writer['tls.crt']!);
      expect([cert.subject, cert.checkIssued(ca), cert.keyUsage, writer['ca.crt']]).toEqual([`CN=prometheus.${rc.cluster.name}`, true, ['1.3.6.1.5.5.7.3.2'], secrets.pki.caCert]);
      expect(cert.checkPrivateKey(createPrivateKey(writer['tls.key']!))).toBe(true);
    }
    expect(spokes().length).toBeGreaterThan(0);
    expect(data(hub, 'private-ca')).toEqual({ 'tls.crt': secrets.pki.caCert, 'tls.key': secrets.pki.caKey });
    expect(data(hub, 'thanos-receive-client-ca')).toEqual({ 'ca.crt': secrets.pki.caCert });
  });
});

describe('the system checks', () => {
  it('sign webhooks as GitHub does', () => {
    expect(signWebhook('The quick brown fox jumps over the lazy dog', 'key')).toEqual({
      'X-Hub-Signature': 'sha1=de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9',
      'X-Hub-Signature-256': 'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    });
  });

  it('cover every part the issue names, each at a Service the kind variant renders', () => {
    expect(systemChecks(kind, secrets).map((c) => `${c.name} -> ${c.target.cluster} ${c.target.namespace}/${c.target.name}:${c.target.port}`)).toEqual([
      'deck serves its page -> ibm-prow-jobs kubevirt-prow/deck:80',
      'hook accepts a correctly signed webhook -> ibm-prow-jobs kubevirt-prow/hook:8888',
      'hook rejects a wrongly signed webhook -> ibm-prow-jobs kubevirt-prow/hook:8888',
      'gcsweb answers its health check -> ibm-prow-jobs kubevirt-prow/gcsweb:80',
      'Grafana serves its login page -> ibm-prow-jobs monitoring/grafana:3000',
      "Grafana's datasource answers through Thanos query -> ibm-prow-jobs monitoring/grafana:3000",
      'ci-search answers -> ibm-prow-jobs ci-search/ci-search:80',
      // Then per cluster, in topology order: the caches its jobs' presets point at (an image pulled through the docker proxy), and a spoke's metrics on the hub.
      ...kind.clusters.flatMap((rc) => [
        `kubevirt-prow/bazel-cache:8080 (preset-bazel-cache) answers on ${rc.cluster.name} -> ${rc.cluster.name} kubevirt-prow/bazel-cache:8080`,
        `docker-proxy/docker-mirror-proxy on ${rc.cluster.name} pulls docker.io/enix/x509-certificate-exporter:3.21.0 through its cache, with its CA -> ${rc.cluster.name} docker-proxy/docker-mirror-proxy:3128`,
        ...(rc.cluster.hub ? [] : [`${rc.cluster.name}'s Prometheus is visible through the hub's Thanos query -> ibm-prow-jobs monitoring/thanos-query-frontend:9090`]),
      ]),
    ]);
  });
});

describe('the failure report', () => {
  it('lists what Argo CD says of each Application that is not ready, with its unhealthy resources', () => {
    const lines = applicationLines([
      { metadata: { name: 'prow-workloads-greenhouse' }, status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } } },
      {
        metadata: { name: 'ibm-prow-jobs-prow' },
        status: {
          sync: { status: 'Synced' },
          health: { status: 'Degraded' },
          operationState: { phase: 'Succeeded' },
          resources: [
            { kind: 'Deployment', namespace: 'kubevirt-prow', name: 'deck', health: { status: 'Degraded', message: 'Deployment "deck" exceeded its progress deadline' } },
            { kind: 'Service', namespace: 'kubevirt-prow', name: 'deck', health: { status: 'Healthy' } },
          ],
        },
      },
      { metadata: { name: 'ibm-prow-jobs-grafana' }, status: { sync: { status: 'OutOfSync' }, health: { status: 'Missing' }, conditions: [{ type: 'ComparisonError', message: 'repository not accessible' }], operationState: { phase: 'Failed', message: 'one or more objects failed to apply' } } },
    ]);
    expect(lines).toEqual([
      'ibm-prow-jobs-grafana: OutOfSync, Missing',
      '  condition ComparisonError: repository not accessible',
      '  last sync Failed: one or more objects failed to apply',
      'ibm-prow-jobs-prow: Synced, Degraded',
      '  Deployment kubevirt-prow/deck: Degraded (Deployment "deck" exceeded its progress deadline)',
    ]);
  });

  it('shows the latest warning events, oldest first', () => {
    const ev = (t: string, reason: string, type = 'Warning', count?: number) => ({ type, reason, message: `${reason} happened\n`, lastTimestamp: t, ...(count ? { count } : {}), involvedObject: { kind: 'Pod', namespace: 'monitoring', name: 'grafana-0' } });
    expect(eventLines([ev('2026-11-23T10:02:00Z', 'BackOff', 'Warning', 7), ev('2026-11-23T10:01:00Z', 'Pulled', 'Normal'), ev('2026-11-23T10:00:00Z', 'FailedMount'), ev('2026-11-23T09:00:00Z', 'Old')], 2)).toEqual([
      '2026-11-23T10:00:00Z  Pod monitoring/grafana-0  FailedMount: FailedMount happened',
      '2026-11-23T10:02:00Z  Pod monitoring/grafana-0  BackOff: BackOff happened (x7)',
    ]);
  });

  it('picks the pods that should run and are not ready, with why', () => {
    const pod = (name: string, status: PodObject['status']): PodObject => ({ metadata: { name, namespace: 'kubevirt-prow' }, status });
    const failing = failingPods([
      pod('deck-1', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }),
      pod('label-sync-1', { phase: 'Succeeded' }),
      pod('hook-1', { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'hook', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }),
      pod('crier-1', { phase: 'Pending', containerStatuses: [{ name: 'crier', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }),
      pod('tide-1', { phase: 'Running', containerStatuses: [{ name: 'tide', ready: false, restartCount: 1, state: { terminated: { reason: 'Error', exitCode: 1 } } }] }),
    ]);
    expect(failing.map((f) => [f.pod.metadata.name, f.why])).toEqual([
      ['crier-1', 'crier ContainerCreating'],
      ['hook-1', 'hook CrashLoopBackOff, 4 restarts'],
      ['tide-1', 'tide Error (exit 1), 1 restarts'],
    ]);
  });
});

describe('pnpm smoke here', () => {
  it('says in one line what this machine lacks, and nothing when it has everything', () => {
    const none = () => ({ ok: false, detail: 'Cannot connect to the Docker daemon' });
    expect(preflight(none)).toBe('no container engine (docker info: Cannot connect to the Docker daemon), no kind, no kubectl');
    expect(preflight(() => ({ ok: true, detail: '' }))).toBeUndefined();
  });

  it('labels the kind node as the cache node, and the hub node for the ingress controller', () => {
    expect(parse(kindConfig(true))).toEqual({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', nodes: [{ role: 'control-plane', labels: { 'ci.kubevirt.io/cachenode': 'true', 'ingress-ready': 'true' } }] });
    expect(parse(kindConfig(false)).nodes[0].labels).toEqual({ 'ci.kubevirt.io/cachenode': 'true' });
  });

  it("runs kind's node image by digest, at the Kubernetes minor the repository targets", () => {
    const { kindNode: image } = kind.topology.versions.smoke;
    expect(image).toMatch(/^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    expect(image.slice('kindest/node:v'.length).split('.').slice(0, 2).join('.')).toBe(kind.topology.versions.kubernetes);
  });
});
