import { kindClaim, kindResources } from '@kubevirt-ci/kube';
import { stuckPodMinutes } from '@kubevirt-ci/app-build-cluster';
import { bucketName, defineApp, exposedService, metricsEndpointsOn, valuesOn, type Cluster, type MetricsEndpoint } from '@kubevirt-ci/topology';
import { z } from 'zod';
import { alertmanagerValues, renderAlertmanager } from './alerting.ts';
import { exporters, exporterValues, renderHostProbes, renderKubeStateMetrics, renderNodeExporter } from './exporters.ts';
import { appName, grpcCertificateNames, grpcTls, labelsOf, namespace, objstoreSecret, remoteWrite, remoteWriterName, sidecarService, slackSecret } from './names.ts';
import { operatorRelease } from './operator.ts';
import { alertValues, clusterAlerts, renderAlertRules } from './rules.ts';
import { renderKubeletMonitor, renderServiceMonitors } from './scrape.ts';
import { prometheusValues, remoteWriteKeys, renderPrometheus, type PrometheusValues } from './server.ts';

export * from './names.ts';
export { renderAlertRules, type AlertGroup, type AlertRule } from './rules.ts';
export { checkRetention, retentionSize, blocksSharePercent } from './server.ts';
export { kubeletService } from './scrape.ts';
export { exporters } from './exporters.ts';

const name = appName;

const values = z
  .object({
    prometheus: prometheusValues.prefault({}),
    alertmanager: alertmanagerValues.prefault({}),
    exporters: exporterValues.prefault({}),
    alerts: alertValues.prefault({}),
  })
  .strict();

/** Minutes past the build cluster's own cleanup before a Terminating pod is worth an alert. */
const cleanupGraceMinutes = 60;

export const app = defineApp({
  name,
  component: 'Monitoring (Prometheus)',
  description: "scrapes the cluster's components and nodes, keeps recent history, alerts to Slack, and gives its samples to Thanos: on the hub through its sidecar, which ships blocks to the bucket, elsewhere by remote write to the hub's Thanos receive",
  values,
  kindValues: {
    prometheus: { retentionDays: 1, growthPerDay: '200Mi', storage: kindClaim('2Gi'), resources: kindResources('2Gi'), sidecarResources: kindResources() },
    alertmanager: { resources: kindResources() },
    exporters: { nodeExporter: kindResources(), kubeStateMetrics: kindResources(), blackboxExporter: kindResources() },
  },
  provides: ['metrics'],

  namespaces: () => [namespace],

  releases: ({ topology }) => [operatorRelease(topology.versions)],

  render: (scope, { topology, cluster, values: v }) => {
    renderPrometheus(scope, topology, cluster, v.prometheus);
    renderAlertmanager(scope, topology.versions, cluster, v.alertmanager);
    renderNodeExporter(scope, topology.versions, v.exporters.nodeExporter);
    renderKubeStateMetrics(scope, topology.versions, v.exporters.kubeStateMetrics);
    const hosts = cluster.exposes.map((e) => exposedService(topology, e));
    if (hosts.length > 0) renderHostProbes(scope, topology.versions, v.exporters.blackboxExporter, hosts);
    renderServiceMonitors(scope, metricsEndpointsOn(cluster));
    renderKubeletMonitor(scope);
    renderAlertRules(scope, 'cluster-alerts', clusterAlerts({ alerts: v.alerts, probesHosts: hosts.length > 0, stuckTerminatingMinutes: stuckPodMinutes(cluster) + cleanupGraceMinutes, hub: cluster.hub }));
  },

  metrics: ({ cluster }): MetricsEndpoint[] => [
    { name: 'prometheus', namespace, selector: { 'operated-prometheus': 'true' }, port: 'web', description: 'Prometheus itself' },
    { name: 'alertmanager', namespace, selector: { 'operated-alertmanager': 'true' }, port: 'web', description: 'Alertmanager' },
    ...(cluster.hub ? [{ name: sidecarService.name, namespace, selector: labelsOf(sidecarService.name), port: 'http', description: 'the Thanos sidecar (uploads)' }] : []),
    { name: exporters.nodeExporter.name, namespace, selector: labelsOf(exporters.nodeExporter.name), port: 'metrics', nodeLabel: true, description: 'every node' },
    // Its series describe other objects: keep their namespace and pod labels.
    { name: exporters.kubeStateMetrics.name, namespace, selector: labelsOf(exporters.kubeStateMetrics.name), port: 'http-metrics', honorLabels: true, description: 'the state of pods, workloads and volumes' },
  ],

  provided: ({ topology, cluster, values: v }) => [
    ...(cluster.hub
      ? [
          {
            kind: 'Secret' as const,
            namespace,
            name: objstoreSecret.name,
            keys: [objstoreSecret.key],
            description: `Thanos object-store configuration: type GCS, bucket ${bucketName(topology, 'thanos-blocks')}, with a service account that may write to it`,
          },
          {
            kind: 'Secret' as const,
            namespace,
            name: grpcTls.secret,
            keys: [...grpcTls.keys],
            description: `mutual TLS of the Thanos StoreAPIs: a certificate for server and client use with DNS names ${grpcCertificateNames().join(', ')}, its key, and the monitoring CA`,
          },
        ]
      : [
          {
            kind: 'Secret' as const,
            namespace,
            name: remoteWrite.secret,
            keys: remoteWriteKeys(v.prometheus.remoteWrite),
            description: `the client certificate this cluster's Prometheus writes to the hub's Thanos receive with: CN ${remoteWriterName(cluster)}, extended key usage clientAuth only, signed by the writers' CA (whose certificate is the hub's ${remoteWrite.clientCaSecret}), and its key${v.prometheus.remoteWrite.privateServerCa ? "; ca.crt: the CA of the hub's ingress certificate" : ''}`,
          },
        ]),
    { kind: 'Secret', namespace, name: slackSecret.name, keys: [slackSecret.key], description: 'the Slack incoming webhook Alertmanager posts alerts to' },
  ],

  // Elsewhere the thanos app declares the flow: it receives each cluster's samples.
  flows: ({ cluster }) => [
    ...(cluster.hub ? [{ kind: 'storage', label: 'uploads 2-hour blocks (sidecar)', direction: 'out', peer: { bucket: 'thanos-blocks' } } as const] : []),
    { kind: 'notifications', label: 'alerts', direction: 'out', peer: { external: 'slack' } },
  ],
});

/** The Prometheus of a cluster's prometheus app as its values set it; undefined where the app is not enabled. */
export function prometheusOn(cluster: Pick<Cluster, 'apps'>): PrometheusValues | undefined {
  return valuesOn(cluster, app)?.prometheus;
}
