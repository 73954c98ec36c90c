import { app as buildCluster } from '@kubevirt-ci/app-build-cluster';
import { render } from '@kubevirt-ci/synth';
import { clusterSpec, objectsOf, problemsFrom } from '@kubevirt-ci/synth/testing';
import { defineApp, defineRole, defineTopology, enable, type ClusterSpec } from '@kubevirt-ci/topology';
import { checkReferences, promqlErrors, type ParsedObject } from '@kubevirt-ci/validate';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { app, checkRetention, retentionSize } from '../src/index.ts';

type Values = Parameters<typeof enable<typeof app.values>>[1];

/** An app that serves metrics, as greenhouse or Prow do. */
const scraped = defineApp({
  name: 'scraped',
  component: 'scraped',
  description: 'serves metrics',
  values: z.object({}),
  namespaces: () => ['kubevirt-prow'],
  metrics: () => [
    { name: 'pushgateway', namespace: 'kubevirt-prow', selector: { app: 'pushgateway' }, port: 'http', honorLabels: true, description: 'pushed metrics' },
    { name: 'greenhouse', namespace: 'kubevirt-prow', selector: { app: 'greenhouse' }, port: 'metrics', path: '/prometheus', description: 'the cache' },
  ],
});

/** Stands in for cert-manager where a test cluster exposes a host. */
const certificates = defineApp({ name: 'certificates', component: 'certificates', description: 'issues certificates', values: z.object({}), provides: ['certificates'] });

function renderWith(values?: Values, extra: Partial<ClusterSpec> = {}, withSpoke = true) {
  const apps = [enable(app, values), enable(scraped), enable(buildCluster, { cleanup: { stuckForMinutes: 120 } }), enable(certificates)];
  const role = defineRole({ role: 'r', description: 'r', hub: true, apps, clusters: [clusterSpec('hub-1', extra)] });
  const spoke = defineRole({ role: 's', description: 's', hub: false, apps: [enable(app, values)], clusters: [clusterSpec('spoke-1')] });
  return render(defineTopology({ apps: [app, scraped, buildCluster, certificates], roles: withSpoke ? [role, spoke] : [role] }));
}

const byKind = (objects: readonly { kind: string }[], kind: string) => objects.filter((o) => o.kind === kind) as any[];
const named = (objects: readonly { kind: string }[], kind: string, name: string) => byKind(objects, kind).find((o) => o.metadata.name === name);

describe('sizing Prometheus', () => {
  const cluster = { name: 'prow-workloads', source: 'clusters/workloads/src/index.ts' };
  it('gives Prometheus the blocks share of its volume as retentionSize', () => {
    expect([retentionSize('100Gi'), retentionSize('50Gi'), retentionSize('1Ti')]).toEqual(['85GiB', '42GiB', '870GiB']);
  });

  it('accepts a retention that fits, up to exactly the blocks share of the volume', () => {
    expect(() => checkRetention(cluster, { retentionDays: 10, growthPerDay: '8.5Gi', storage: { type: 'claim', size: '100Gi' } })).not.toThrow();
  });

  it('refuses a retention its volume cannot hold, naming the file, the field and the size that would do', () => {
    expect(problemsFrom(() => checkRetention(cluster, { retentionDays: 15, growthPerDay: '8Gi', storage: { type: 'claim', size: '100Gi' } }))).toEqual([
      {
        file: 'clusters/workloads/src/index.ts',
        object: 'app "prometheus" on cluster "prow-workloads"',
        field: 'values.prometheus.retentionDays',
        message: '15 days at 8Gi a day need 120Gi of blocks, but a 100Gi volume holds 85Gi of them (85 %)',
        fix: 'give prometheus.storage.size at least 142Gi, or keep fewer days (Thanos keeps the history)',
      },
    ]);
  });

  it('fails synth with that problem, and writes nothing', () => {
    const problems = problemsFrom(() => renderWith({ prometheus: { retentionDays: 30, growthPerDay: '4Gi', storage: { type: 'claim', size: '100Gi' } } }));
    expect(problems.map((p) => [p.object, p.field, p.message])).toEqual([
      ['app "prometheus" on cluster "hub-1"', 'values.prometheus.retentionDays', '30 days at 4Gi a day need 120Gi of blocks, but a 100Gi volume holds 85Gi of them (85 %)'],
      ['app "prometheus" on cluster "spoke-1"', 'values.prometheus.retentionDays', '30 days at 4Gi a day need 120Gi of blocks, but a 100Gi volume holds 85Gi of them (85 %)'],
    ]);
  });

  it('keeps a local volume to one replica', () => {
    const problems = problemsFrom(() => renderWith({ prometheus: { replicas: 2, storage: { type: 'local', size: '100Gi', path: '/data/prometheus' } } }, {}, false));
    expect(problems.map((p) => [p.field, p.message])).toEqual([['values.prometheus.replicas', 'a local volume lives on one node and serves one replica']]);
  });
});

describe('the prometheus app', () => {
  const rendered = renderWith();
  const hub = objectsOf(rendered, 'hub-1', 'prometheus');
  const spoke = objectsOf(rendered, 'spoke-1', 'prometheus');

  it('installs prometheus-operator from its release bundle, server-side, before anything uses its kinds', () => {
    const parts = rendered.clusters[0]!.parts.map((p) => [p.name, p.wave]);
    expect(parts).toEqual([
      ['namespaces', 0],
      ['prometheus-operator', 1],
      ['prometheus', 2],
      ['build-cluster', 1],
    ]);
    const release = rendered.clusters[0]!.parts.find((p) => p.name === 'prometheus-operator')!;
    expect([release.source, release.serverSideApply]).toEqual([
      { type: 'git', repoURL: 'https://github.com/prometheus-operator/prometheus-operator', revision: 'v0.93.1', path: '.', kustomizeNamespace: 'monitoring' },
      true,
    ]);
  });

  it("runs Prometheus with a Thanos sidecar, labelled with its cluster, its retention sized from the volume", () => {
    const p = named(hub, 'Prometheus', 'main').spec;
    expect([p.image, p.version, p.externalLabels, p.replicaExternalLabelName, p.retention, p.retentionSize]).toEqual([
      'quay.io/prometheus/prometheus:v3.14.0',
      'v3.14.0',
      { cluster: 'hub-1' },
      'prometheus_replica',
      '7d',
      '85GiB',
    ]);
    expect(p.thanos).toMatchObject({
      image: 'quay.io/thanos/thanos:v0.42.4',
      objectStorageConfig: { name: 'thanos-objstore', key: 'objstore.yml' },
      grpcServerTlsConfig: {
        certFile: '/etc/prometheus/secrets/thanos-grpc-tls/tls.crt',
        keyFile: '/etc/prometheus/secrets/thanos-grpc-tls/tls.key',
        caFile: '/etc/prometheus/secrets/thanos-grpc-tls/ca.crt',
      },
    });
    expect(p.secrets).toEqual(['thanos-grpc-tls']);
    // The operator mounts spec.secrets into the prometheus container only, as volume
    // secret-<name>; the sidecar reads the TLS files, so it mounts that volume at the same path.
    expect(p.thanos.volumeMounts).toEqual([{ name: 'secret-thanos-grpc-tls', mountPath: '/etc/prometheus/secrets/thanos-grpc-tls' }]);
    // It only reads what the monitoring namespace declares.
    expect(p.serviceMonitorNamespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } });
    expect(p.alerting).toEqual({ alertmanagers: [{ namespace: 'monitoring', name: 'alertmanager-operated', port: 'web', apiVersion: 'v2' }] });
  });

  it('binds a local volume on the cache node to the claim the operator will make', () => {
    const objects = objectsOf(renderWith({ prometheus: { storage: { type: 'local', size: '100Gi', path: '/var/data/prometheus' } } }, {}, false), 'hub-1', 'prometheus');
    const pv = named(objects, 'PersistentVolume', 'monitoring-prometheus');
    expect([pv.spec.local, pv.spec.claimRef]).toEqual([{ path: '/var/data/prometheus' }, { namespace: 'monitoring', name: 'prometheus-main-db-prometheus-main-0' }]);
    const p = named(objects, 'Prometheus', 'main').spec;
    expect([p.nodeSelector, p.storage.volumeClaimTemplate.spec.volumeName]).toEqual([{ 'ci.kubevirt.io/cachenode': 'true' }, 'monitoring-prometheus']);
  });

  it('listens for nothing on the other clusters: their Prometheus remote-writes to the hub with a client certificate', () => {
    // Only in-cluster Services on the spoke: before, a LoadBalancer nothing on a bare-metal cluster provides, open to everyone.
    expect(byKind(spoke, 'Service').map((s) => [s.metadata.name, s.spec.type ?? 'ClusterIP'])).toEqual([
      ['node-exporter', 'ClusterIP'],
      ['kube-state-metrics', 'ClusterIP'],
    ]);
    const p = named(spoke, 'Prometheus', 'main').spec;
    expect([p.thanos, p.secrets]).toEqual([undefined, undefined]);
    expect(p.remoteWrite).toEqual([
      {
        name: 'hub',
        url: 'https://thanos-receive.ci.kubevirt.io/api/v1/receive',
        // The hub's certificate is a public one: the system's roots verify it.
        tlsConfig: { cert: { secret: { name: 'prometheus-remote-write-tls', key: 'tls.crt' } }, keySecret: { name: 'prometheus-remote-write-tls', key: 'tls.key' } },
      },
    ]);
    expect(p.hostAliases).toBeUndefined();
    const writer = rendered.clusters[1]!.provided.find((o) => o.name === 'prometheus-remote-write-tls')!;
    expect(writer.description).toContain('CN prometheus.spoke-1, extended key usage clientAuth only');
    // The hub keeps its sidecar, in-cluster only.
    expect(named(hub, 'Service', 'thanos-sidecar').spec.type).toBeUndefined();
    expect(rendered.clusters[0]!.provided.find((o) => o.name === 'thanos-grpc-tls')!.description).toContain('DNS names *.monitoring.svc,');
  });

  it("trusts a private CA for the hub's certificate and pins the hub's address only when told to (kind)", () => {
    const kindLike = renderWith({ prometheus: { remoteWrite: { hostAddress: '172.18.0.2', privateServerCa: true } } });
    const p = named(objectsOf(kindLike, 'spoke-1', 'prometheus'), 'Prometheus', 'main').spec;
    expect(p.remoteWrite[0].tlsConfig.ca).toEqual({ secret: { name: 'prometheus-remote-write-tls', key: 'ca.crt' } });
    expect(p.hostAliases).toEqual([{ ip: '172.18.0.2', hostnames: ['thanos-receive.ci.kubevirt.io'] }]);
    expect(kindLike.clusters[1]!.provided.find((o) => o.name === 'prometheus-remote-write-tls')!.keys).toEqual(['tls.crt', 'tls.key', 'ca.crt']);
  });

  it('refuses an address that is not IPv4 for the hub, naming the field', () => {
    const problems = problemsFrom(() => renderWith({ prometheus: { remoteWrite: { hostAddress: 'hub.example' } } } as never));
    expect(problems.map((p) => p.field)).toEqual(['values.prometheus.remoteWrite.hostAddress', 'values.prometheus.remoteWrite.hostAddress']);
  });

  it('scrapes every endpoint its cluster declares, with a ServiceMonitor each', () => {
    const monitors = byKind(hub, 'ServiceMonitor').map((m) => [m.metadata.name, m.spec.namespaceSelector.matchNames, m.spec.endpoints[0]]);
    expect(monitors).toEqual([
      ['prometheus', ['monitoring'], { port: 'web' }],
      ['alertmanager', ['monitoring'], { port: 'web' }],
      ['thanos-sidecar', ['monitoring'], { port: 'http' }],
      ['node-exporter', ['monitoring'], { port: 'metrics', relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }] }],
      ['kube-state-metrics', ['monitoring'], { port: 'http-metrics', honorLabels: true }],
      ['pushgateway', ['kubevirt-prow'], { port: 'http', honorLabels: true }],
      ['greenhouse', ['kubevirt-prow'], { port: 'metrics', path: '/prometheus' }],
      [
        'kubelet',
        ['kube-system'],
        {
          port: 'https-metrics',
          scheme: 'https',
          tlsConfig: { insecureSkipVerify: true },
          bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
          honorLabels: true,
          relabelings: [{ sourceLabels: ['__meta_kubernetes_endpoint_address_target_name'], targetLabel: 'node', action: 'replace' }],
        },
      ],
    ]);
  });

  it('refuses two apps declaring one scrape job name', () => {
    const twin = defineApp({ ...scraped, name: 'twin' });
    const role = defineRole({ role: 'r', description: 'r', hub: true, apps: [enable(app), enable(scraped), enable(twin)], clusters: [clusterSpec('hub-1')] });
    const problems = problemsFrom(() => render(defineTopology({ apps: [app, scraped, twin], roles: [role] })));
    expect(problems.map((p) => p.message)).toEqual(['apps "scraped" and "twin" both declare a metrics endpoint named "pushgateway"; give one of them another name']);
  });

  it('probes the hosts a cluster exposes, and only there', () => {
    const exposing = objectsOf(renderWith(undefined, { exposes: ['grafana'], ingressClassName: 'nginx' }, false), 'hub-1', 'prometheus');
    expect(named(exposing, 'Probe', 'exposed-hosts').spec).toEqual({
      prober: { url: 'blackbox-exporter.monitoring.svc:9115' },
      module: 'https',
      interval: '60s',
      targets: { staticConfig: { static: ['https://grafana.ci.kubevirt.io'] } },
    });
    expect(byKind(hub, 'Probe')).toEqual([]);
    const alerts = (objects: readonly { kind: string }[]) => named(objects, 'PrometheusRule', 'cluster-alerts').spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(alerts(exposing).filter((a: string) => a.startsWith('Served') || a === 'ExposedHostDown')).toEqual(['ServedCertificateExpiresSoon', 'ServedCertificateExpiresThisWeek', 'ExposedHostDown']);
    expect(alerts(hub).filter((a: string) => a.startsWith('Served'))).toEqual([]);
  });

  it('alerts on what has hurt, from values: certificates, volume fill, Prow down, stuck pods, the sidecar', () => {
    const rules = Object.fromEntries(named(hub, 'PrometheusRule', 'cluster-alerts').spec.groups.flatMap((g: any) => g.rules.map((r: any) => [r.alert, [r.expr, r.for, r.labels.severity]])));
    expect(rules).toEqual({
      CertificateExpiresSoon: ['x509_cert_not_after - time() < 2592000', '1h', 'warning'],
      CertificateExpiresThisWeek: ['x509_cert_not_after - time() < 604800', '10m', 'critical'],
      CertificateUnreadable: ['x509_read_errors > 0', '15m', 'warning'],
      VolumeFillingUp: ['100 * (1 - kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes) > 80', '15m', 'warning'],
      VolumeAlmostFull: ['100 * (1 - kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes) > 90', '5m', 'critical'],
      NodeDiskAlmostFull: [
        '100 * (1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"}) > 90',
        '15m',
        'critical',
      ],
      ProwComponentDown: ['kube_deployment_status_replicas_available{namespace="kubevirt-prow"} == 0', '5m', 'critical'],
      WorkloadUnavailable: ['kube_deployment_status_replicas_available{namespace!="kubevirt-prow"} == 0 or kube_statefulset_status_replicas_ready == 0', '10m', 'critical'],
      ScrapeTargetDown: ['up == 0', '10m', 'warning'],
      // The build cluster's cleanup takes pods stuck for 120 minutes; an hour later it has failed.
      PodStuckTerminating: ['time() - kube_pod_deletion_timestamp > 10800', '10m', 'warning'],
      ThanosSidecarNotUploading: ['time() - max by (cluster) (thanos_objstore_bucket_last_successful_upload_time{job="thanos-sidecar"}) > 4 * 3600', '15m', 'critical'],
      ThanosSidecarUploadFailing: ['increase(thanos_shipper_upload_failures_total[1h]) > 0', '30m', 'warning'],
    });
    for (const [alert, [expr]] of Object.entries(rules)) expect([alert, promqlErrors(expr as string)]).toEqual([alert, []]);
    // Without a build cluster, pods count as stuck past the default cleanup's six hours.
    const spokeRule = named(spoke, 'PrometheusRule', 'cluster-alerts').spec.groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === 'PodStuckTerminating');
    expect(spokeRule.expr).toBe('time() - kube_pod_deletion_timestamp > 25200');
    const thresholds = objectsOf(renderWith({ alerts: { certificateDays: 45, volumeWarningPercent: 70, volumeCriticalPercent: 85 } }), 'hub-1', 'prometheus');
    const exprs = named(thresholds, 'PrometheusRule', 'cluster-alerts').spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr));
    expect(exprs.filter((e: string) => /< 3888000|> 70$|> 85$/.test(e))).toHaveLength(4);
  });

  it('routes alerts to Slack through the webhook Secret, grouped per alert and cluster', () => {
    const config = named(spoke, 'AlertmanagerConfig', 'slack').spec;
    expect(config.route).toEqual({ receiver: 'slack', groupBy: ['alertname', 'cluster'], groupWait: '1m', groupInterval: '5m', repeatInterval: '12h' });
    expect(config.receivers[0].slackConfigs[0]).toMatchObject({ apiURL: { name: 'alertmanager-slack', key: 'webhook-url' }, sendResolved: true, title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} on spoke-1' });
    expect(named(spoke, 'Alertmanager', 'main').spec.alertmanagerConfiguration).toEqual({ name: 'slack' });
  });

  it('declares the Secrets it needs by name and keys, never their values', () => {
    expect(rendered.clusters[0]!.provided.filter((p) => p.namespace === 'monitoring').map((p) => [p.namespace, p.name, p.keys])).toEqual([
      ['monitoring', 'thanos-objstore', ['objstore.yml']],
      ['monitoring', 'thanos-grpc-tls', ['tls.crt', 'tls.key', 'ca.crt']],
      ['monitoring', 'alertmanager-slack', ['webhook-url']],
    ]);
    expect(rendered.clusters[0]!.provided[0]!.description).toBe('Thanos object-store configuration: type GCS, bucket kubevirt-prow-thanos, with a service account that may write to it');
    // The other clusters hold no bucket credentials and no StoreAPI certificate: only their writer's.
    expect(rendered.clusters[1]!.provided.map((p) => [p.namespace, p.name, p.keys])).toEqual([
      ['monitoring', 'prometheus-remote-write-tls', ['tls.crt', 'tls.key']],
      ['monitoring', 'alertmanager-slack', ['webhook-url']],
    ]);
  });

  it('gives its exporters least privilege: kube-state-metrics lists and watches only what it reports', () => {
    const role = named(hub, 'ClusterRole', 'monitoring-kube-state-metrics');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'nodes', 'persistentvolumeclaims', 'persistentvolumes'], verbs: ['list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['list', 'watch'] },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list', 'watch'] },
    ]);
    const ds = named(hub, 'DaemonSet', 'node-exporter');
    expect([ds.spec.template.spec.hostNetwork, ds.spec.template.spec.tolerations, ds.spec.template.spec.securityContext.runAsNonRoot]).toEqual([true, [{ operator: 'Exists' }], true]);
  });

  it('passes the cross-resource checks: every monitor and Service reaches what the operator will run', () => {
    const parsed = (objects: readonly object[]): ParsedObject[] => objects.map((value) => ({ file: 'f', line: 1, value: value as Record<string, unknown> }));
    const cluster = rendered.clusters[1]!;
    const all = [...cluster.parts.flatMap((p) => p.objects), ...cluster.argo];
    expect(checkReferences(parsed(all), { provided: cluster.provided })).toEqual([]);
  });
});
