import { app as prometheus } from '@kubevirt-ci/app-prometheus';
import { render } from '@kubevirt-ci/synth';
import { clusterSpec, objectsOf, problemsFrom } from '@kubevirt-ci/synth/testing';
import { defineApp, defineRole, defineTopology, enable } from '@kubevirt-ci/topology';
import { z } from 'zod';
import { promqlErrors } from '@kubevirt-ci/validate';
import { describe, expect, it } from 'vitest';
import { app, compactScratch, receiveIngressAnnotations, retentionProblems, storeEndpoints } from '../src/index.ts';

type Values = Parameters<typeof enable<typeof app.values>>[1];

/** Stands in for cert-manager: the hub exposes receive over TLS. */
const certificates = defineApp({ name: 'certificates', component: 'certificates', description: 'issues certificates', values: z.object({}), provides: ['certificates'] });

function renderWith(spokes: string[], values?: Values, exposes = spokes.length > 0 ? ['thanos-receive'] : []) {
  const hub = defineRole({
    role: 'hub',
    description: 'h',
    hub: true,
    apps: [enable(prometheus), enable(app, values), enable(certificates)],
    clusters: [clusterSpec('hub-1', { exposes, ingressClassName: 'nginx' })],
  });
  const spoke = defineRole({ role: 'spoke', description: 's', hub: false, apps: [enable(prometheus, { prometheus: { growthPerDay: '10Gi' } })], clusters: spokes.map((s) => clusterSpec(s)) });
  return render(defineTopology({ apps: [prometheus, app, certificates], roles: spokes.length > 0 ? [hub, spoke] : [hub] }));
}

const named = (objects: readonly { kind: string; metadata: { name: string } }[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as any;
const argsOf = (objects: readonly { kind: string; metadata: { name: string } }[], kind: string, name: string): string[] => named(objects, kind, name).spec.template.spec.containers[0].args;
const where = { file: 'clusters/control-plane/src/index.ts', object: 'app "thanos" on cluster "hub-1"' };

describe('the bucket retention', () => {
  it('accepts the inventory\'s raw 7d, 5m 30d, 1h 365d', () => {
    expect(retentionProblems(where, { rawDays: 7, fiveMinuteDays: 30, oneHourDays: 365 })).toEqual([]);
  });

  it('refuses resolutions deleted before compact makes the next one from them, or kept shorter than a finer one', () => {
    expect(retentionProblems(where, { rawDays: 1, fiveMinuteDays: 9, oneHourDays: 5 }).map((p) => [p.field, p.message, p.fix])).toEqual([
      ['values.compact.retention.rawDays', 'raw blocks kept 1 days are deleted before compact downsamples them at 2 days', 'keep raw blocks at least 2 days'],
      ['values.compact.retention.fiveMinuteDays', '5m blocks kept 9 days are deleted before compact downsamples them at 10 days', 'keep 5m blocks at least 10 days'],
      ['values.compact.retention.oneHourDays', '1h blocks (5 days) would go before 5m ones (9 days)', 'keep each coarser resolution at least as long as the finer one'],
    ]);
  });

  it("sizes compact's scratch space from the busiest cluster's daily growth", () => {
    expect(compactScratch(['6Gi', '8Gi']) / 1024 ** 3).toBe(224);
    const problems = problemsFrom(() => renderWith(['spoke-1'], { compact: { storage: { size: '200Gi' } } }));
    expect(problems).toEqual([
      {
        file: 'apps/thanos/test/thanos.test.ts',
        object: 'app "thanos" on cluster "hub-1"',
        field: 'values.compact.storage.size',
        message: 'compact merges 14 days of the busiest cluster (10Gi a day) and needs 280Gi of scratch space, more than 200Gi',
        fix: 'give compact at least 280Gi',
      },
    ]);
  });
});

describe('the thanos app', () => {
  const one = renderWith(['spoke-1']);
  const hub = objectsOf(one, 'hub-1', 'thanos');

  it("queries the hub's sidecar, receive and the store gateway, all in-cluster over mutual TLS", () => {
    expect(argsOf(hub, 'Deployment', 'thanos-query')).toEqual([
      'query',
      '--http-address=0.0.0.0:10902',
      '--grpc-address=0.0.0.0:10901',
      '--query.replica-label=prometheus_replica',
      '--endpoint=thanos-sidecar.monitoring.svc:10901',
      '--endpoint=thanos-receive.monitoring.svc:10901',
      '--endpoint=thanos-store.monitoring.svc:10901',
      '--grpc-client-tls-secure',
      '--grpc-client-tls-cert=/etc/thanos/tls/tls.crt',
      '--grpc-client-tls-key=/etc/thanos/tls/tls.key',
      '--grpc-client-tls-ca=/etc/thanos/tls/ca.crt',
    ]);
    expect(argsOf(hub, 'StatefulSet', 'thanos-store')).toContain('--grpc-server-tls-client-ca=/etc/thanos/tls/ca.crt');
  });

  it("receives the other clusters' remote writes, keeps a day and ships blocks to the bucket", () => {
    const receive = named(hub, 'StatefulSet', 'thanos-receive');
    expect([receive.spec.replicas, receive.spec.volumeClaimTemplates[0].spec.resources.requests.storage]).toEqual([1, '50Gi']);
    expect(argsOf(hub, 'StatefulSet', 'thanos-receive')).toEqual([
      'receive',
      '--http-address=0.0.0.0:10902',
      '--grpc-address=0.0.0.0:10901',
      '--remote-write.address=0.0.0.0:19291',
      '--tsdb.path=/var/thanos/receive',
      '--tsdb.retention=1d',
      '--label=receive_replica="$(POD_NAME)"',
      '--objstore.config-file=/etc/thanos/objstore/objstore.yml',
      '--grpc-server-tls-cert=/etc/thanos/tls/tls.crt',
      '--grpc-server-tls-key=/etc/thanos/tls/tls.key',
      '--grpc-server-tls-client-ca=/etc/thanos/tls/ca.crt',
    ]);
    expect(receive.spec.template.spec.containers[0].env).toEqual([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
    const ingress = named(hub, 'Ingress', 'thanos-receive');
    expect(ingress.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/auth-tls-secret': 'monitoring/thanos-receive-client-ca',
      'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'on',
      'nginx.ingress.kubernetes.io/auth-tls-verify-depth': '1',
      'nginx.ingress.kubernetes.io/auth-tls-match-cn': 'CN=(prometheus\\.spoke-1)$',
    });
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'thanos-receive', port: { number: 19291 } } });
    expect(one.clusters[0]!.provided.filter((p) => p.name === 'thanos-receive-client-ca').map((p) => p.keys)).toEqual([['ca.crt']]);
  });

  it("admits exactly the writers' Common Names, each a whole name", () => {
    const cn = receiveIngressAnnotations([{ name: 'a.b' }, { name: 'c' }] as never)['nginx.ingress.kubernetes.io/auth-tls-match-cn']!;
    expect(cn).toBe('CN=(prometheus\\.a\\.b|prometheus\\.c)$');
    // nginx matches it against $ssl_client_s_dn; the same pattern in JavaScript's dialect:
    const dn = new RegExp(cn);
    expect(['CN=prometheus.a.b', 'CN=prometheus.c', 'CN=prometheus.axb', 'CN=prometheus.c2', 'CN=thanos-query'].map((s) => dn.test(s))).toEqual([true, true, false, false, false]);
  });

  it("adds a new cluster as one more writer's name at the ingress, with no other edit", () => {
    const two = renderWith(['spoke-1', 'spoke-2']);
    const endpoints = storeEndpoints(two.topology);
    expect(endpoints).toEqual(['thanos-sidecar.monitoring.svc:10901', 'thanos-receive.monitoring.svc:10901', 'thanos-store.monitoring.svc:10901']);
    const hub2 = objectsOf(two, 'hub-1', 'thanos');
    expect(argsOf(hub2, 'Deployment', 'thanos-query').filter((a) => a.startsWith('--endpoint='))).toEqual(endpoints.map((e) => `--endpoint=${e}`));
    expect(named(hub2, 'Ingress', 'thanos-receive').metadata.annotations['nginx.ingress.kubernetes.io/auth-tls-match-cn']).toBe('CN=(prometheus\\.spoke-1|prometheus\\.spoke-2)$');
    const stores = (objects: typeof hub) => named(objects, 'PrometheusRule', 'thanos-alerts').spec.groups[0].rules.find((r: any) => r.alert === 'ThanosQueryStoresMissing').expr;
    expect([stores(hub), stores(hub2)]).toEqual([
      'sum by (pod) (thanos_store_nodes_grpc_connections{job="thanos-query"}) < 3',
      'sum by (pod) (thanos_store_nodes_grpc_connections{job="thanos-query"}) < 3',
    ]);
  });

  it('runs no receive where no other cluster writes, and refuses exposing it then, or not exposing it when one does', () => {
    const alone = objectsOf(renderWith([]), 'hub-1', 'thanos');
    expect([named(alone, 'StatefulSet', 'thanos-receive'), named(alone, 'Ingress', 'thanos-receive')]).toEqual([undefined, undefined]);
    expect(storeEndpoints(renderWith([]).topology)).toEqual(['thanos-sidecar.monitoring.svc:10901', 'thanos-store.monitoring.svc:10901']);
    expect(problemsFrom(() => renderWith(['spoke-1'], undefined, ['grafana'])).map((p) => [p.object, p.field, p.message])).toEqual([
      ['cluster "hub-1"', 'exposes', 'spoke-1 remote-write their metrics to this cluster\'s Thanos receive, but the cluster does not expose "thanos-receive"'],
    ]);
    expect(problemsFrom(() => renderWith([], undefined, ['thanos-receive'])).map((p) => p.message)).toEqual(['exposes "thanos-receive", but no other cluster runs Prometheus to write to it']);
  });

  it("sizes receive's volume from the writers' daily growth", () => {
    expect(problemsFrom(() => renderWith(['spoke-1', 'spoke-2'], { receive: { retentionDays: 2, storage: { size: '40Gi' } } }))).toEqual([
      {
        file: 'apps/thanos/test/thanos.test.ts',
        object: 'app "thanos" on cluster "hub-1"',
        field: 'values.receive.storage.size',
        message: 'receive keeps 2 days of the writing clusters (40Gi), more than 85 % of 40Gi',
        fix: 'give receive at least 48Gi, or keep fewer days (the bucket keeps the history)',
      },
    ]);
  });

  it('compacts with exactly one replica and its own volume, keeping the retention of the values', () => {
    const compact = named(hub, 'StatefulSet', 'thanos-compact');
    expect([compact.spec.replicas, compact.spec.volumeClaimTemplates[0].spec.resources.requests.storage]).toEqual([1, '300Gi']);
    expect(argsOf(hub, 'StatefulSet', 'thanos-compact').filter((a) => a.startsWith('--retention') || a.startsWith('--dedup'))).toEqual([
      '--retention.resolution-raw=7d',
      '--retention.resolution-5m=30d',
      '--retention.resolution-1h=365d',
      '--deduplication.replica-label=prometheus_replica',
    ]);
  });

  it('splits long queries in the frontend, in front of the query Service', () => {
    expect(argsOf(hub, 'Deployment', 'thanos-query-frontend').slice(0, 4)).toEqual([
      'query-frontend',
      '--http-address=0.0.0.0:10902',
      '--query-frontend.downstream-url=http://thanos-query.monitoring.svc:10902',
      '--query-range.split-interval=12h',
    ]);
    expect(named(hub, 'Service', 'thanos-query-frontend').spec.ports).toEqual([{ name: 'http', port: 9090, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('alerts when receive or compact stops or halts, with expressions Prometheus accepts', () => {
    const rules = named(hub, 'PrometheusRule', 'thanos-alerts').spec.groups[0].rules;
    expect(rules.map((r: any) => [r.alert, r.expr])).toEqual([
      ['ThanosReceiveDown', 'absent(up{job="thanos-receive"} == 1)'],
      ['ThanosReceiveNotUploading', 'time() - max(thanos_objstore_bucket_last_successful_upload_time{job="thanos-receive"}) > 4 * 3600'],
      ['ThanosCompactHalted', 'thanos_compact_halted == 1'],
      ['ThanosCompactDown', 'absent(up{job="thanos-compact"} == 1)'],
      ['ThanosQueryStoresMissing', 'sum by (pod) (thanos_store_nodes_grpc_connections{job="thanos-query"}) < 3'],
    ]);
    for (const r of rules) expect(promqlErrors(r.expr)).toEqual([]);
  });

  it('needs the prometheus app on its cluster', () => {
    const role = defineRole({ role: 'hub', description: 'h', hub: true, apps: [enable(app)], clusters: [clusterSpec('hub-1')] });
    const problems = problemsFrom(() => render(defineTopology({ apps: [prometheus, app], roles: [role] })));
    expect(problems.map((p) => [p.object, p.message])).toContainEqual(['role "hub"', 'app "thanos" needs app "prometheus", which is not enabled on this role']);
  });
});
