import { loadTopology, render } from '@kubevirt-ci/synth';
import { clusterOf, objectsOf } from '@kubevirt-ci/synth/testing';
import { greenhouseMetrics } from '@kubevirt-ci/app-greenhouse';
import { promqlErrors } from '@kubevirt-ci/validate';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dashboardJson, dashboards, datasource, type Dashboard } from '../src/index.ts';

const rendered = render(await loadTopology());
const hub = clusterOf(rendered, 'ibm-prow-jobs');
const objects = objectsOf(rendered, 'ibm-prow-jobs', 'grafana') as any[];
const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

/** Every value under a key named `datasource`, anywhere in a JSON document. */
function datasourcesIn(value: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((v) => datasourcesIn(v, found));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'datasource') found.push(v);
      datasourcesIn(v, found);
    }
  }
  return found;
}

describe('grafana', () => {
  it('runs on the hub only', () => {
    expect(rendered.clusters.filter((rc) => rc.parts.some((p) => p.name === 'grafana')).map((rc) => rc.cluster.name)).toEqual(['ibm-prow-jobs']);
  });

  it("has one datasource, Thanos query-frontend, at a Service and port the hub renders", () => {
    const files = named('ConfigMap', 'grafana-provisioning').data;
    const { datasources } = parse(files['datasources.yaml']);
    expect(datasources.map((d: any) => [d.name, d.uid, d.type, d.url, d.isDefault])).toEqual([['Thanos', 'thanos', 'prometheus', 'http://thanos-query-frontend.monitoring.svc:9090', true]]);
    const url = new URL(datasources[0].url);
    const [svc, ns] = url.hostname.split('.');
    const service = hub.parts.flatMap((p) => p.objects).find((o) => o.kind === 'Service' && o.metadata.name === svc && o.metadata.namespace === ns) as any;
    expect(service?.spec.ports.map((p: any) => p.port)).toContain(Number(url.port));
  });

  it('provisions dashboards that are valid JSON, query only that datasource, and whose queries parse', () => {
    const files = named('ConfigMap', 'grafana-dashboards').data as Record<string, string>;
    expect(Object.keys(files).sort()).toEqual(['kubevirt-ci-caches.json', 'kubevirt-ci-clusters.json', 'kubevirt-ci-prow.json']);
    for (const [file, text] of Object.entries(files)) {
      const board = JSON.parse(text);
      expect([file, board.uid]).toEqual([file, file.replace(/\.json$/, '')]);
      const used = datasourcesIn(board);
      expect(used.length).toBeGreaterThan(board.panels.length);
      expect(new Set(used.map((d) => JSON.stringify(d)))).toEqual(new Set([JSON.stringify({ type: 'prometheus', uid: 'thanos' })]));
      for (const panel of board.panels) for (const t of panel.targets) expect([panel.title, promqlErrors(t.expr)]).toEqual([panel.title, []]);
    }
  });

  it("queries only the bazel cache series greenhouse exports (greenhouse/metrics.go), hits and misses of both caches", () => {
    const exported = new Set<string>([greenhouseMetrics.diskUsedGB, greenhouseMetrics.diskTotalGB, ...greenhouseMetrics.hits, ...greenhouseMetrics.misses]);
    const queried = dashboards.flatMap((d) => d.panels.flatMap((p) => p.expr.match(/\bbazel_cache_[a-z_]+/g) ?? []));
    expect([...new Set(queried)].sort()).toEqual([...exported].sort());
    expect(queried.filter((m) => !exported.has(m))).toEqual([]);
  });

  it('would catch a dashboard query that does not parse', () => {
    const broken: Dashboard = { uid: 'x', title: 'x', description: 'x', panels: [{ title: 'typo', expr: 'rate(up)', legend: '', unit: 'short' }] };
    const json = dashboardJson(broken, datasource) as { panels: { targets: { expr: string }[] }[] };
    expect(promqlErrors(json.panels[0]!.targets[0]!.expr).map((e) => e.message)).toEqual(['rate() needs a range vector such as x[5m], not "up"']);
    expect(dashboards.every((d) => d.panels.length > 0)).toBe(true);
  });

  it('logs in members of the GitHub org as Viewers, with its secrets from the bundle', () => {
    const env = Object.fromEntries(named('Deployment', 'grafana').spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? `secret ${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]));
    expect(env).toMatchObject({
      GF_SERVER_ROOT_URL: 'https://grafana.ci.kubevirt.io/',
      GF_AUTH_GITHUB_ENABLED: 'true',
      GF_AUTH_GITHUB_ALLOWED_ORGANIZATIONS: 'kubevirt',
      GF_AUTH_GITHUB_ROLE_ATTRIBUTE_PATH: "'Viewer'",
      GF_AUTH_GITHUB_CLIENT_ID: 'secret grafana-github-oauth/client-id',
      GF_AUTH_GITHUB_CLIENT_SECRET: 'secret grafana-github-oauth/client-secret',
      GF_SECURITY_ADMIN_PASSWORD: 'secret grafana-admin/admin-password',
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
    });
    expect(hub.provided.filter((p) => p.name.startsWith('grafana-')).map((p) => [p.namespace, p.name, p.keys])).toEqual([
      ['monitoring', 'grafana-admin', ['admin-user', 'admin-password']],
      ['monitoring', 'grafana-github-oauth', ['client-id', 'client-secret']],
    ]);
  });

  it('is served at grafana.ci.kubevirt.io with the certificate cert-manager issues', () => {
    const ingress = named('Ingress', 'grafana').spec;
    expect([ingress.tls, ingress.rules[0].host, ingress.rules[0].http.paths[0].backend]).toEqual([
      [{ hosts: ['grafana.ci.kubevirt.io'], secretName: 'grafana-tls' }],
      'grafana.ci.kubevirt.io',
      { service: { name: 'grafana', port: { number: 3000 } } },
    ]);
    const cert = hub.parts.flatMap((p) => p.objects).find((o) => o.kind === 'Certificate' && o.metadata.name === 'grafana-tls') as any;
    expect([cert.metadata.namespace, cert.spec.dnsNames]).toEqual(['monitoring', ['grafana.ci.kubevirt.io']]);
  });
});
