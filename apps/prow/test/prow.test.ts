import { readFileSync } from 'node:fs';
import { loadTopology, render } from '@kubevirt-ci/synth';
import { clusterOf, objectsOf, problemsFrom } from '@kubevirt-ci/synth/testing';
import { enable, versions, type Topology } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { servicesMismatch } from '../src/component.ts';
import { pluginsConfigOf } from '../src/config/build.ts';
import { checkConfig } from '../src/config/check.ts';
import { generatedJobFile } from '../src/jobs/index.ts';
import { app, configHashAnnotation, defaultResources, ghproxyCacheSizeGB, regexError, type JobFile, type Periodic, type Presubmit } from '../src/index.ts';

const topology = await loadTopology();
const rendered = render(topology);
/** The clusters that enable the build-cluster app, in topology order: however many the roles declare. */
const buildClusterNames = rendered.topology.clusters.filter((c) => c.apps.some((e) => e.app.name === 'build-cluster')).map((c) => c.name);
const objects = objectsOf(rendered, 'ibm-prow-jobs', 'prow') as any[];
const of = (kind: string) => objects.filter((o) => o.kind === kind);
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const podOf = (name: string) => (find('Deployment', name) ?? find('CronJob', name).spec.jobTemplate).spec.template;

/** The topology with the prow app's values replaced on the control plane. */
function withProw(values: Parameters<typeof enable<typeof app.values>>[1]): Topology {
  return { ...topology, roles: topology.roles.map((r) => ({ ...r, apps: r.apps.map((b) => (b.app.name === 'prow' ? enable(app, values) : b)) })) };
}

function jobFile(job: Partial<Presubmit>, kind: 'presubmit' | 'periodic' = 'presubmit'): JobFile {
  const base = { name: 'test-job', cluster: 'prow-workloads', spec: { containers: [{ image: versions.kubevirtciBootstrap }] }, ...job };
  return generatedJobFile('test.yaml', 'apps/prow/test/prow.test.ts', kind === 'presubmit' ? { presubmits: { 'kubevirt/kubevirt': [base as Presubmit] } } : { periodics: [{ cron: '0 1 * * *', ...base } as Periodic] });
}

const prowComponents = ['crier', 'deck', 'hook', 'horologium', 'prow-controller-manager', 'sinker', 'tide', 'statusreconciler', 'rehearse', 'release-blocker', 'cherrypicker', 'needs-rebase', 'gcsweb', 'ghproxy', 'prow-exporter', 'pushgateway'];

describe('Prow on the control plane', () => {
  it('runs all seventeen components of the seed in kubevirt-prow', () => {
    expect(of('Deployment').map((d) => d.metadata.name)).toEqual(prowComponents);
    expect(of('CronJob').map((d) => d.metadata.name)).toEqual(['label-sync', 'label-sync-nmstate', 'branchprotector']);
    // label_sync per GitHub App installation, as production runs it: the org, and nmstate's repository.
    expect(['label-sync', 'label-sync-nmstate'].map((n) => podOf(n).spec.containers[0].args.filter((a: string) => /^--(orgs|only)=/.test(a)))).toEqual([['--orgs=kubevirt'], ['--only=nmstate/kubernetes-nmstate']]);
    expect(new Set([...of('Deployment'), ...of('CronJob')].map((o) => o.metadata.namespace))).toEqual(new Set(['kubevirt-prow']));
  });

  it("takes every Prow image from Prow's registry at the one declared tag", () => {
    const images = new Map(prowComponents.map((n) => [n, podOf(n).spec.containers[0].image as string]));
    const fromProw = [...images].filter(([, i]) => i.startsWith(`${versions.prow.registry}/`));
    expect(fromProw.map(([n]) => n)).toEqual(['crier', 'deck', 'hook', 'horologium', 'prow-controller-manager', 'sinker', 'tide', 'statusreconciler', 'cherrypicker', 'needs-rebase', 'ghproxy', 'prow-exporter']);
    expect(new Set(fromProw.map(([, i]) => i.split(':')[1]))).toEqual(new Set([versions.prow.tag]));
    expect([images.get('rehearse'), images.get('release-blocker'), images.get('gcsweb'), images.get('pushgateway'), podOf('label-sync').spec.containers[0].image]).toEqual([
      `quay.io/kubevirtci/rehearse:${versions.kubevirtciPlugins.tag}`,
      `quay.io/kubevirtci/release-blocker:${versions.kubevirtciPlugins.tag}`,
      versions.gcsweb,
      versions.pushgateway,
      versions.labelSync,
    ]);
  });

  it("takes GitHub's API and the public ports from the topology, so a variant topology moves them", () => {
    const moved: Topology = {
      ...topology,
      external: { ...topology.external, github: { ...topology.external.github, api: 'https://github.example.org/api/v3' } },
      exposedServices: { ...topology.exposedServices, gcsweb: { ...topology.exposedServices['gcsweb']!, port: 8080 } },
    };
    const objs = objectsOf(render(moved), 'ibm-prow-jobs', 'prow') as any[];
    const get = (kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
    expect(get('Deployment', 'crier').spec.template.spec.containers[0].args.filter((a: string) => a.startsWith('--github-endpoint='))).toEqual(['--github-endpoint=http://ghproxy', '--github-endpoint=https://github.example.org/api/v3']);
    const config = parse(get('ConfigMap', 'config').data['config.yaml']);
    expect(config.plank.default_decoration_config_entries[0].config.github_api_endpoints).toEqual(['http://ghproxy', 'https://github.example.org/api/v3']);
    expect(get('Service', 'gcsweb').spec.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 'http' }]);
  });

  it("holds the services table other components' URLs come from to the records' Service ports", () => {
    const http = (port: number) => [{ name: 'http', containerPort: 8888, service: port }];
    const records = [
      { name: 'hook', ports: http(8888) },
      { name: 'tide', ports: http(8080) },
      { name: 'ghproxy', ports: [] },
      ...['pushgateway', 'rehearse', 'release-blocker', 'cherrypicker', 'needs-rebase'].map((name) => ({ name, ports: http(name === 'rehearse' ? 9900 : 80) })),
    ];
    expect(servicesMismatch(records)).toEqual([
      "services.tide: port 80, but component tide's Service serves 8080; take the record's port from services.tide.port",
      "services.ghproxy: port 80, but component ghproxy's Service serves no port; take the record's port from services.ghproxy.port",
    ]);
    expect(servicesMismatch(records.filter((r) => r.name !== 'hook'))[0]).toBe('services.hook: no component is named hook');
  });

  it("gives label-sync production's label definitions as the file's own text, so a colour such as 80e591 is not read as a number", () => {
    const source = readFileSync(new URL('../src/config/policy/labels.yaml', import.meta.url), 'utf8');
    expect(find('ConfigMap', 'label-config').data['labels.yaml']).toBe(source);
    const synced = parse(source, { schema: 'failsafe' });
    expect(synced.repos['kubevirt/kubevirt.github.io'].labels[0]).toMatchObject({ name: 'kind/blog', color: '80e591' });
    expect(synced.default.labels.length).toBe(71);
    expect(synced.default.labels.filter((l: { previously?: unknown }) => l.previously).length).toBeGreaterThan(0);
    expect(Object.keys(synced.repos)).toContain('kubevirt/kubevirt');
  });

  it('runs cherrypicker as the bot user, which can fork, and every other GitHub caller as the App', () => {
    const cherrypicker = podOf('cherrypicker').spec;
    const args: string[] = cherrypicker.containers[0].args;
    expect(args.filter((a) => a.startsWith('--github-'))).toEqual(['--github-endpoint=http://ghproxy', '--github-endpoint=https://api.github.com', '--github-token-path=/etc/github-bot/token']);
    expect(cherrypicker.volumes.filter((v: { secret?: unknown }) => v.secret).map((v: { secret: { secretName: string } }) => v.secret.secretName)).toEqual(['hmac-token', 'github-bot-token']);
    const app = prowComponents.filter((n) => podOf(n).spec.containers[0].args?.some((a: string) => a.startsWith('--github-app-id=')));
    expect(app).toEqual(['crier', 'deck', 'hook', 'prow-controller-manager', 'tide', 'statusreconciler', 'rehearse', 'release-blocker', 'needs-rebase']);
    expect(rendered.clusters.find((rc) => rc.cluster.name === 'ibm-prow-jobs')!.provided.find((p) => p.name === 'github-bot-token')).toMatchObject({ kind: 'Secret', namespace: 'kubevirt-prow', keys: ['token'] });
  });

  it("runs against Prow's fakes as its integration tests do: the bot user's token, GCS through the emulator, ghproxy to the fake", () => {
    const fakeGitHub = 'http://fakeghserver.kubevirt-prow';
    const faked = render({ ...withProw({ fakes: { gcsEmulatorHost: 'fakegcsserver.kubevirt-prow:80' } }), external: { ...topology.external, github: { ...topology.external.github, api: fakeGitHub } } });
    const pods = objectsOf(faked, 'ibm-prow-jobs', 'prow') as any[];
    const pod = (n: string) => {
      const o = pods.find((p) => (p.kind === 'Deployment' || p.kind === 'CronJob') && p.metadata.name === n);
      return (o.kind === 'CronJob' ? o.spec.jobTemplate : o).spec.template.spec;
    };
    const everyone = [...prowComponents, 'label-sync', 'label-sync-nmstate', 'branchprotector'];
    expect(everyone.filter((n) => pod(n).containers[0].args?.some((a: string) => a.startsWith('--github-app-'))).map((n) => n)).toEqual([]);
    const asBot = everyone.filter((n) => pod(n).containers[0].args?.includes('--github-token-path=/etc/github-bot/token'));
    expect(asBot).toEqual(['crier', 'deck', 'hook', 'prow-controller-manager', 'tide', 'statusreconciler', 'rehearse', 'release-blocker', 'cherrypicker', 'needs-rebase', 'label-sync', 'label-sync-nmstate', 'branchprotector']);
    for (const n of asBot) {
      const secrets = pod(n).volumes.filter((v: any) => v.secret).map((v: any) => v.secret.secretName);
      expect([n, secrets.includes('github-bot-token'), secrets.includes('github-token')]).toEqual([n, true, false]);
      expect([n, (pod(n).containers[0].env ?? []).some((e: any) => e.name === 'GITHUB_APP_ID')]).toEqual([n, false]);
    }
    const emulated = everyone.filter((n) => (pod(n).containers[0].env ?? []).some((e: any) => e.name === 'STORAGE_EMULATOR_HOST' && e.value === 'fakegcsserver.kubevirt-prow:80'));
    expect(emulated).toEqual(everyone.filter((n) => pod(n).containers[0].args?.some((a: string) => a.startsWith('--gcs-credentials-file='))));
    expect(emulated).toEqual(['crier', 'deck', 'tide', 'statusreconciler']);
    expect(pod('ghproxy').containers[0].args).toContain(`--upstream=${fakeGitHub}`);
    // Production is untouched: the App, GitHub's own API.
    expect(podOf('ghproxy').spec.containers[0].args).toContain('--upstream=https://api.github.com');
  });

  it('gives every pod requests, a memory limit, a non-root security context, and probes where it serves', () => {
    for (const n of [...prowComponents, 'label-sync', 'label-sync-nmstate', 'branchprotector']) {
      const pod = podOf(n).spec;
      const c = pod.containers[0];
      expect([n, Object.keys(c.resources.requests).sort(), Object.keys(c.resources.limits)]).toEqual([n, ['cpu', 'memory'], ['memory']]);
      expect([n, pod.securityContext.runAsNonRoot, c.securityContext.allowPrivilegeEscalation, c.securityContext.readOnlyRootFilesystem]).toEqual([n, true, false, true]);
      const probed = !['label-sync', 'label-sync-nmstate', 'branchprotector', 'statusreconciler'].includes(n);
      expect([n, c.readinessProbe !== undefined, c.livenessProbe !== undefined]).toEqual([n, probed, probed]);
    }
    expect(podOf('deck').spec.containers[0].readinessProbe.httpGet).toEqual({ port: 'health', path: '/healthz/ready' });
  });

  it("probes only what the pinned Prow binary serves: Prow's health port where main.go starts it, else /metrics", () => {
    // At the pinned commit, cmd/{deck,hook,prow-controller-manager,ghproxy,exporter} and
    // cmd/external-plugins/{cherrypicker,needs-rebase} call pjutil.NewHealthOnPort (8081) and
    // ServeReady; crier, horologium, sinker and tide only serve metrics, so they are ready
    // when /metrics answers and alive while the port accepts connections.
    const probe = (n: string) => {
      const c = podOf(n).spec.containers[0];
      return [n, c.livenessProbe?.httpGet ?? c.livenessProbe?.tcpSocket, c.readinessProbe?.httpGet, (c.ports ?? []).map((p: { name: string }) => p.name).includes('health')];
    };
    const served = ['deck', 'hook', 'prow-controller-manager', 'ghproxy', 'prow-exporter', 'cherrypicker', 'needs-rebase'];
    const health = [{ port: 'health', path: '/healthz' }, { port: 'health', path: '/healthz/ready' }, true];
    const metrics = [{ port: 'metrics' }, { port: 'metrics', path: '/metrics' }, false];
    expect(served.map(probe)).toEqual(served.map((n) => [n, ...health]));
    expect(['crier', 'horologium', 'sinker', 'tide'].map(probe)).toEqual(['crier', 'horologium', 'sinker', 'tide'].map((n) => [n, ...metrics]));
    // status-reconciler serves nothing: no probe, and the reason on the Deployment.
    expect(probe('statusreconciler')).toEqual(['statusreconciler', undefined, undefined, false]);
    expect(find('Deployment', 'statusreconciler').metadata.annotations['policy.ci.kubevirt.io/probes']).toMatch(/^status-reconciler serves nothing over HTTP/);
    expect(podOf('pushgateway').spec.containers[0].livenessProbe.httpGet).toEqual({ port: 'http', path: '/-/healthy' });
    // rehearse and release-blocker serve only their webhook: one TCP check, and the reason.
    expect(podOf('rehearse').spec.containers[0].readinessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(['rehearse', 'release-blocker'].map((n) => find('Deployment', n).metadata.annotations['policy.ci.kubevirt.io/identical-probes'])).toEqual([
      'it serves only its events endpoint at the pinned commit (external-plugins/rehearse/plugin/main.go)',
      'it serves only the webhook ("/") and POST /help at the pinned commit (external-plugins/release-blocker/main.go)',
    ]);
  });

  it('sizes deck, the controller manager and sinker as the inventory does', () => {
    const req = (n: string) => podOf(n).spec.containers[0].resources.requests;
    expect([req('deck'), req('prow-controller-manager'), req('sinker')]).toEqual([
      { cpu: '1', memory: '2Gi' },
      { cpu: '1', memory: '1Gi' },
      { cpu: '1', memory: '1Gi' },
    ]);
    expect([find('Deployment', 'deck').spec.replicas, find('Deployment', 'hook').spec.replicas, find('Deployment', 'gcsweb').spec.replicas]).toEqual([3, 4, 2]);
    expect(of('PodDisruptionBudget').map((p) => p.metadata.name)).toEqual(['deck', 'hook', 'gcsweb']);
  });

  it('mounts only ConfigMaps it renders and Secrets it declares', () => {
    const configMaps = new Set(of('ConfigMap').map((c) => c.metadata.name));
    const provided = new Set(clusterOf(rendered, 'ibm-prow-jobs').provided.filter((p) => p.namespace === 'kubevirt-prow').map((p) => p.name));
    for (const n of [...prowComponents, 'label-sync', 'label-sync-nmstate', 'branchprotector']) {
      for (const v of podOf(n).spec.volumes ?? []) {
        if (v.configMap) expect([n, configMaps.has(v.configMap.name)]).toEqual([n, true]);
        for (const part of v.projected?.sources ?? []) expect([n, configMaps.has(part.configMap.name)]).toEqual([n, true]);
        if (v.secret) expect([n, provided.has(v.secret.secretName)]).toEqual([n, true]);
      }
    }
    expect([...configMaps].sort()).toEqual(['config', 'job-config-1', 'label-config', 'plugins']);
  });

  it('fronts every served port with a Service that selects its pods, and routes the hosts to them', () => {
    for (const svc of of('Service')) {
      const deploy = find('Deployment', svc.metadata.name);
      expect(deploy.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
      const names = deploy.spec.template.spec.containers[0].ports.map((p: any) => p.name);
      for (const p of svc.spec.ports) expect([svc.metadata.name, names.includes(p.targetPort)]).toEqual([svc.metadata.name, true]);
    }
    const rules = (name: string) => find('Ingress', name).spec.rules[0];
    expect(rules('deck')).toEqual({
      host: 'prow.ci.kubevirt.io',
      http: {
        paths: [
          { path: '/', pathType: 'Prefix', backend: { service: { name: 'deck', port: { number: 80 } } } },
          { path: '/hook', pathType: 'Prefix', backend: { service: { name: 'hook', port: { number: 8888 } } } },
        ],
      },
    });
    expect(rules('gcsweb').host).toBe('gcsweb.ci.kubevirt.io');
    expect(find('Ingress', 'deck').spec.tls).toEqual([{ hosts: ['prow.ci.kubevirt.io'], secretName: 'deck-tls' }]);
  });

  it('installs the ProwJob CRD server-side from the pinned Prow commit, before Prow', () => {
    const parts = clusterOf(rendered, 'ibm-prow-jobs').parts;
    const crd = parts.find((p) => p.name === 'prowjob-crd')!;
    const prow = parts.find((p) => p.name === 'prow')!;
    expect([crd.source, crd.serverSideApply, crd.wave < prow.wave]).toEqual([
      { type: 'git', repoURL: 'https://github.com/kubernetes-sigs/prow', revision: versions.prow.commit, path: 'config/prow/cluster/prowjob-crd' },
      true,
      true,
    ]);
  });

  it('declares the kubeconfig Secret with one context per build cluster', () => {
    expect(clusterOf(rendered, 'ibm-prow-jobs').provided.find((p) => p.name === 'kubeconfig')).toMatchObject({ namespace: 'kubevirt-prow', keys: ['config'], contexts: buildClusterNames });
    expect(buildClusterNames.slice(0, 2)).toEqual(['ibm-prow-jobs', 'prow-workloads']);
  });
});


describe('RBAC', () => {
  const rules = (name: string) => find('Role', name)?.rules;
  const pj = (...verbs: string[]) => ({ apiGroups: ['prow.k8s.io'], resources: ['prowjobs'], verbs });
  const core = (resources: string[], ...verbs: string[]) => ({ apiGroups: [''], resources, verbs });
  const lock = (name: string) => [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [name], verbs: ['get', 'update'] },
    core(['configmaps'], 'create'),
    { apiGroups: [''], resources: ['configmaps'], resourceNames: [name], verbs: ['get', 'update'] },
    core(['events'], 'create', 'patch'),
  ];

  it("grants exactly the inventory's verbs, in the jobs namespace where ProwJobs and test pods live", () => {
    // hook's ConfigMap rights are left out on purpose: they serve config_updater, and Argo CD
    // is the one writer of Prow's ConfigMaps.
    expect(Object.fromEntries(of('Role').map((r) => [r.metadata.name, [r.metadata.namespace, r.rules]]))).toEqual({
      crier: ['kubevirt-prow-jobs', [pj('get', 'watch', 'list', 'patch'), core(['pods', 'events'], 'get', 'list'), core(['pods'], 'patch')]],
      deck: ['kubevirt-prow-jobs', [pj('get', 'list', 'watch', 'create', 'patch'), core(['pods/log'], 'get')]],
      hook: ['kubevirt-prow-jobs', [pj('create', 'get', 'list', 'update')]],
      horologium: ['kubevirt-prow-jobs', [pj('create', 'list', 'watch')]],
      'prow-controller-manager': ['kubevirt-prow-jobs', [pj('get', 'list', 'watch', 'update', 'patch'), core(['pods'], 'create', 'delete', 'get', 'list', 'patch', 'watch'), ...lock('prow-controller-manager-leader-lock')]],
      sinker: ['kubevirt-prow-jobs', [pj('delete', 'list', 'watch', 'get'), core(['pods'], 'delete', 'list', 'watch', 'get', 'patch'), ...lock('prow-sinker-leaderlock')]],
      tide: ['kubevirt-prow-jobs', [pj('create', 'list', 'get', 'watch')]],
      statusreconciler: ['kubevirt-prow-jobs', [pj('create')]],
      'prow-exporter': ['kubevirt-prow-jobs', [pj('get', 'list', 'watch')]],
    });
    expect(find('ClusterRole', 'prow-rehearse').rules).toEqual([pj('create')]);
    expect(find('RoleBinding', 'rehearse')).toMatchObject({ metadata: { namespace: 'kubevirt-prow-jobs' }, roleRef: { kind: 'ClusterRole', name: 'prow-rehearse' } });
    expect(of('ClusterRoleBinding')).toEqual([]);
    expect(rules('gcsweb')).toBeUndefined();
  });

  it('gives a ServiceAccount token only to the components with rights', () => {
    const withAccount = prowComponents.filter((n) => podOf(n).spec.serviceAccountName !== undefined);
    expect(withAccount).toEqual(['crier', 'deck', 'hook', 'horologium', 'prow-controller-manager', 'sinker', 'tide', 'statusreconciler', 'rehearse', 'prow-exporter']);
    expect(podOf('gcsweb').spec.automountServiceAccountToken).toBe(false);
  });
});

describe("Prow's configuration", () => {
  const data = (name: string) => find('ConfigMap', name).data;
  const config = parse(data('config')['config.yaml']);

  it('parses as YAML and points at the jobs namespace, the bucket and the hosts of the topology', () => {
    expect([config.prowjob_namespace, config.pod_namespace, config.plank.default_decoration_config_entries[0].config.gcs_configuration.bucket, config.plank.job_url_prefix_config['*']]).toEqual([
      'kubevirt-prow-jobs',
      'kubevirt-prow-jobs',
      'kubevirt-prow',
      'https://prow.ci.kubevirt.io/view/',
    ]);
    expect(config.sinker).toMatchObject({ max_prowjob_age: '48h', max_pod_age: '30m' });
  });

  it('carries the presets every build cluster offers, and no others', () => {
    expect(config.presets.map((p: any) => Object.keys(p.labels)[0])).toEqual([
      'preset-bazel-cache',
      'preset-docker-mirror-proxy',
      'preset-kubevirtci-arm-kubeconfig',
      'preset-kubevirtci-performance-kubeconfig',
    ]);
  });

  it('registers every external plugin at its Service', () => {
    expect(parse(data('plugins')['plugins.yaml']).external_plugins).toEqual({
      kubevirt: [
        { name: 'release-blocker', endpoint: 'http://release-blocker', events: ['issue_comment', 'pull_request'] },
        { name: 'cherrypicker', endpoint: 'http://cherrypicker', events: ['issue_comment', 'pull_request'] },
        { name: 'needs-rebase', endpoint: 'http://needs-rebase', events: ['issue_comment', 'pull_request'] },
      ],
      'kubevirt/project-infra': [{ name: 'rehearse', endpoint: 'http://rehearse:9900', events: ['issue_comment', 'pull_request'] }],
      // The repositories outside the org that production's Prow serves.
      ...Object.fromEntries(
        ['k8snetworkplumbingwg/ovs-cni', 'k8snetworkplumbingwg/kubemacpool', 'nmstate/kubernetes-nmstate'].map((r) => [
          r,
          [
            { name: 'cherrypicker', endpoint: 'http://cherrypicker', events: ['issue_comment', 'pull_request'] },
            { name: 'needs-rebase', endpoint: 'http://needs-rebase', events: ['issue_comment', 'pull_request'] },
          ],
        ]),
      ),
    });
  });

  it('takes each component from one record: its requests, and whether hook forwards it events', () => {
    expect(Object.keys(defaultResources)).toEqual([
      'crier', 'deck', 'hook', 'horologium', 'prow-controller-manager', 'sinker', 'tide', 'statusreconciler',
      'rehearse', 'release-blocker', 'cherrypicker', 'needs-rebase', 'gcsweb', 'ghproxy', 'prow-exporter', 'pushgateway', 'label-sync', 'label-sync-nmstate', 'branchprotector',
    ]);
    const deck = objects.find((o: any) => o.kind === 'Deployment' && o.metadata.name === 'deck');
    expect(deck.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '2Gi' } });
    expect(pluginsConfigOf('org', [{ name: 'new-plugin', port: 8888, events: ['pull_request'] }, { name: 'other', port: 80, events: ['push'], where: ['org/repo', 'elsewhere/repo'] }]).external_plugins).toEqual({
      org: [{ name: 'new-plugin', endpoint: 'http://new-plugin:8888', events: ['pull_request'] }],
      'org/repo': [{ name: 'other', endpoint: 'http://other', events: ['push'] }],
      'elsewhere/repo': [{ name: 'other', endpoint: 'http://other', events: ['push'] }],
    });
  });

  it('runs the plugin that sets each label tide waits to be absent, on every repository tide merges', () => {
    const config = parse(data('config')['config.yaml']);
    const plugins = parse(data('plugins')['plugins.yaml']);
    const labels = parse(data('label-config')['labels.yaml'], { schema: 'failsafe' });
    const known = { clusters: [], presets: [], externalPresets: new Map(), services: new Map(Object.entries({ rehearse: [9900], 'release-blocker': [80], cherrypicker: [80], 'needs-rebase': [80] })), namespaces: ['kubevirt-prow-jobs'] };
    expect(checkConfig('apps/prow/src/index.ts', config, plugins, labels, known)).toEqual([]);
    // A name the pinned hook does not register, and one enabled twice, would stop hook.
    const odd = { ...plugins, plugins: { ...plugins.plugins, 'kubevirt/kubevirt': { plugins: ['release-note', 'dco', 'releasenote'] } } };
    expect(checkConfig('apps/prow/src/index.ts', config, odd, labels, known).map((p) => [p.file, p.field, p.message])).toEqual([
      ['apps/prow/src/config/policy/plugins.yaml', 'plugins.kubevirt/kubevirt.plugins[1]', '"dco" is enabled for the org kubevirt already, which hook refuses as a duplicate'],
      ['apps/prow/src/config/policy/plugins.yaml', 'plugins.kubevirt/kubevirt.plugins[2]', '"releasenote" is not a plugin the pinned hook registers, so hook would refuse the file'],
    ]);
    // Without release-note, the label tide waits to be absent would never be set.
    const small = { ...config, tide: { ...config.tide, queries: [{ repos: ['kubevirt/a', 'kubevirt/b'], labels: ['lgtm'], missingLabels: ['dco-signoff: no', 'do-not-merge/release-note-label-needed'] }] } };
    const fewer = { ...plugins, plugins: { kubevirt: { plugins: ['dco'] }, 'kubevirt/b': { plugins: ['release-note'] } } };
    expect(checkConfig('apps/prow/src/index.ts', small, fewer, labels, known).map((p) => [p.file, p.field, p.message])).toEqual([
      ['apps/prow/src/config/policy/config.yaml', 'tide.queries[0].missingLabels', 'tide waits for "do-not-merge/release-note-label-needed" to be absent on kubevirt/a, but the release-note plugin that sets it does not run there, so such pull requests would merge'],
    ]);
    // label_sync's colours are six hex digits, in the org's labels and each repository's.
    const badColour = { ...labels, repos: { 'kubevirt/a': { labels: [{ name: 'x', color: '#12345', target: 'both' }] } } };
    expect(checkConfig('apps/prow/src/index.ts', config, plugins, badColour, known).map((p) => [p.file, p.field, p.message])).toEqual([
      ['apps/prow/src/config/policy/labels.yaml', 'repos.kubevirt/a.labels[0].color', 'label "x" has color "#12345"'],
    ]);
  });

  it('puts every job on an external KubeVirtCI cluster into that cluster\'s queue of one', () => {
    const periodics = parse(data('job-config-1')['kubevirt-periodics.yaml']).periodics;
    expect(periodics.map((j: any) => [j.name, j.max_concurrency, j.job_queue_name])).toEqual([
      ['periodic-kubevirt-e2e-arm64', 1, 'kubevirtci-arm'],
      ['periodic-kubevirt-performance-density', 1, 'kubevirtci-performance'],
    ]);
    expect(config.plank.job_queue_capacities).toEqual({ 'kubevirtci-arm': 1, 'kubevirtci-performance': 1 });
  });

  it('rolls exactly the pods that mount a ConfigMap when its content changes', () => {
    const hashes = (objs: any[]) => Object.fromEntries(objs.filter((o) => o.kind === 'Deployment').map((d) => [d.metadata.name, d.spec.template.metadata.annotations?.[configHashAnnotation]]));
    const before = hashes(objects);
    const after = hashes(objectsOf(render(withProw({ jobs: [jobFile({ name: 'another-job' })] })), 'ibm-prow-jobs', 'prow') as any[]);
    const changed = prowComponents.filter((n) => before[n] !== after[n]);
    // job-config changed: everything that mounts it rolls; gcsweb, ghproxy and the push gateway mount no ConfigMap.
    expect(changed).toEqual(['crier', 'deck', 'hook', 'horologium', 'prow-controller-manager', 'sinker', 'tide', 'statusreconciler', 'prow-exporter']);
    expect([before['gcsweb'], before['ghproxy'], before['rehearse'] === after['rehearse']]).toEqual([undefined, undefined, true]);
  });
});

describe("KubeVirt's external plugins", () => {
  // A weak check, read from the source by hand: the plugins' Go module is not served by the
  // module proxy at the pinned commit, so the binaries cannot judge their command lines here.
  // kubevirt/project-infra ca75c4e: external-plugins/rehearse/plugin/main.go and
  // external-plugins/release-blocker/main.go, plus prow's GitHubOptions (pkg/flagutil/github.go
  // at 37d12bec7117, the sigs.k8s.io/prow version that commit's go.mod requires).
  const github = ['github-host', 'github-endpoint', 'github-graphql-endpoint', 'github-token-path', 'github-app-id', 'github-app-private-key-path', 'github-hourly-tokens', 'github-allowed-burst', 'github-throttle-org'];
  const defined: Record<string, string[]> = {
    rehearse: ['port', 'endpoint', 'dry-run', 'hmac-secret-file', 'kubeconfig', 'prow-config-path', 'jobs-config-base', 'jobs-namespace', 'always-run', 'cache-dir', ...github],
    'release-blocker': ['port', 'dry-run', 'hmac-secret-file', ...github],
  };
  it('are passed only flags their main.go defines at the pinned commit (no --plugin-config)', () => {
    for (const [name, flags] of Object.entries(defined)) {
      const passed = (podOf(name).spec.containers[0].args as string[]).map((a) => a.replace(/^--?/, '').split('=')[0]!);
      expect([name, passed.filter((f) => !flags.includes(f))]).toEqual([name, []]);
      expect(podOf(name).spec.volumes.map((v: { name: string }) => v.name)).not.toContain('plugins');
    }
  });
});

describe("ghproxy's cache size", () => {
  it('is the volume less the headroom, in decimal GB, rounded down', () => {
    // 100Gi is 107.37 GB; 90 % of it is 96.6.
    expect([ghproxyCacheSizeGB('100Gi', 10), ghproxyCacheSizeGB('30Gi', 10), ghproxyCacheSizeGB('2Gi', 50)]).toEqual([96, 28, 1]);
    expect(() => ghproxyCacheSizeGB('1Gi', 10)).toThrow('a 1Gi volume leaves ghproxy less than 1 GB of cache after 10% headroom; give ghproxy.storage a larger size');
  });

  it('follows the claim it runs on', () => {
    const objs = objectsOf(render(withProw({ ghproxy: { storage: { type: 'claim', size: '30Gi' } } })), 'ibm-prow-jobs', 'prow') as any[];
    const d = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'ghproxy');
    expect(d.spec.template.spec.containers[0].args).toContain('--cache-sizeGB=28');
    expect(objs.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'ghproxy').spec.resources.requests.storage).toBe('30Gi');
    expect(podOf('ghproxy').spec.containers[0].args).toContain('--cache-sizeGB=96');
  });
});
