import { Probe } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { containerResources, deployment, emitModel, goYamlOptions, policyException, restrictedPod, securePodSpec, service } from '@kubevirt-ci/kube';
import { serviceHost, type ExposedService, type Versions } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, ServiceAccount } from 'kubernetes-models/v1';
import { stringify } from 'yaml';
import { z } from 'zod';
import { labelsOf, namespace } from './names.ts';

export const exporterValues = z
  .object({
    nodeExporter: containerResources.default({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } }),
    kubeStateMetrics: containerResources.default({ requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '512Mi' } }),
    blackboxExporter: containerResources.default({ requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } }),
  })
  .strict();
export type ExporterValues = z.output<typeof exporterValues>;

export const exporters = {
  nodeExporter: { name: 'node-exporter', port: 9100 },
  kubeStateMetrics: { name: 'kube-state-metrics', port: 8080 },
  blackboxExporter: {
    name: 'blackbox-exporter',
    port: 9115,
    module: 'https',
    /** For a host that admits only client certificates: success is the ingress refusing us without one. */
    clientCertModule: 'https-client-cert-required',
  },
} as const;

/**
 * node-exporter on every node, the cache nodes included. It reads the host's /proc, /sys and
 * filesystems and shares the host's network and PID namespaces: that is what it reports on.
 */
export function renderNodeExporter(scope: Construct, versions: Versions, resources: ExporterValues['nodeExporter']): void {
  const { name, port } = exporters.nodeExporter;
  const labels = labelsOf(name);
  const host = (volume: string, path: string) => ({ name: volume, hostPath: { path } });
  emitModel(
    scope,
    new DaemonSet({
      metadata: {
        name,
        namespace,
        labels,
        annotations: {
          ...policyException('host-path', "node-exporter reports on the node: it reads the host's /proc, /sys and mounted filesystems, read-only"),
          ...policyException('host-namespaces', "node-exporter's network and process metrics are the host's, seen from the host's network and PID namespaces"),
          ...policyException('host-port', 'on the host network the port is the node\'s anyway; Kubernetes requires hostPort to equal containerPort there'),
        },
      },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
        template: {
          metadata: { labels },
          spec: securePodSpec({
            hostNetwork: true,
            hostPID: true,
            priorityClassName: 'system-node-critical',
            // Every node, whatever its taints: the cache nodes are the ones that fill up.
            tolerations: [{ operator: 'Exists' }],
            securityContext: restrictedPod(65534, undefined),
            containers: [
              {
                name,
                image: versions.nodeExporter,
                args: [
                  '--path.procfs=/host/proc',
                  '--path.sysfs=/host/sys',
                  '--path.rootfs=/host/root',
                  `--web.listen-address=:${port}`,
                  // Pods' own mounts are the kubelet's to report (kubelet_volume_stats_*).
                  '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run|var/lib/kubelet/pods/.+|var/lib/docker/.+|var/lib/containers/.+)($|/)',
                ],
                ports: [{ name: 'metrics', containerPort: port, hostPort: port }],
                readinessProbe: { httpGet: { port: 'metrics', path: '/' }, periodSeconds: 10 },
                livenessProbe: { tcpSocket: { port: 'metrics' }, initialDelaySeconds: 10, periodSeconds: 30 },
                resources,
                volumeMounts: [
                  { name: 'proc', mountPath: '/host/proc', readOnly: true },
                  { name: 'sys', mountPath: '/host/sys', readOnly: true },
                  { name: 'root', mountPath: '/host/root', readOnly: true, mountPropagation: 'HostToContainer' },
                ],
              },
            ],
            volumes: [host('proc', '/proc'), host('sys', '/sys'), host('root', '/')],
          }),
        },
      },
    }),
  );
  service(scope, { name, namespace, labels, selector: labels, ports: [{ name: 'metrics', port, targetPort: 'metrics' }] });
}

/** What kube-state-metrics reports on: the objects the alerts and dashboards ask about. */
const stateResources = [
  ['', 'pods'],
  ['', 'nodes'],
  ['', 'persistentvolumeclaims'],
  ['', 'persistentvolumes'],
  ['apps', 'deployments'],
  ['apps', 'statefulsets'],
  ['apps', 'daemonsets'],
  ['batch', 'jobs'],
  ['batch', 'cronjobs'],
] as const;

/** kube-state-metrics, limited to the kinds it is asked about, with list and watch on those alone. */
export function renderKubeStateMetrics(scope: Construct, versions: Versions, resources: ExporterValues['kubeStateMetrics']): void {
  const { name, port } = exporters.kubeStateMetrics;
  const labels = labelsOf(name);
  const groups = [...new Set(stateResources.map(([g]) => g))];
  emitModel(scope, new ServiceAccount({ metadata: { name, namespace, labels } }));
  emitModel(
    scope,
    new ClusterRole({
      metadata: { name: `monitoring-${name}`, labels },
      rules: groups.map((g) => ({ apiGroups: [g], resources: stateResources.filter(([x]) => x === g).map(([, r]) => r), verbs: ['list', 'watch'] })),
    }),
  );
  emitModel(
    scope,
    new ClusterRoleBinding({
      metadata: { name: `monitoring-${name}`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `monitoring-${name}` },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    }),
  );
  deployment(scope, {
    name,
    namespace,
    labels,
    pod: {
      serviceAccountName: name,
      containers: [
        {
          name,
          image: versions.kubeStateMetrics,
          args: [`--port=${port}`, '--telemetry-port=8081', `--resources=${stateResources.map(([, r]) => r).join(',')}`],
          ports: [
            { name: 'http-metrics', containerPort: port },
            { name: 'telemetry', containerPort: 8081 },
          ],
          // Ready once its registry gathers metrics: /readyz on the telemetry server; alive while
          // the metrics server answers /healthz (pkg/app/server.go at v2.19.1).
          readinessProbe: { httpGet: { port: 'telemetry', path: '/readyz' }, periodSeconds: 10 },
          livenessProbe: { httpGet: { port: 'http-metrics', path: '/healthz' }, initialDelaySeconds: 10, periodSeconds: 30 },
          resources,
        },
      ],
    },
  });
  service(scope, { name, namespace, labels, selector: labels, ports: [{ name: 'http-metrics', port, targetPort: 'http-metrics' }] });
}

/**
 * blackbox-exporter and a Probe of every host the cluster exposes: whether it answers over
 * TLS, and when the certificate it serves expires (probe_ssl_earliest_cert_expiry). A host
 * that admits only client certificates must refuse the probe, which has none, with 400
 * (nginx's 496 page, ngx_http_special_response.c, is sent as 400): anything else is a failure.
 */
export function renderHostProbes(scope: Construct, versions: Versions, resources: ExporterValues['blackboxExporter'], hosts: readonly Pick<ExposedService, 'host' | 'clientCertificates'>[]): void {
  const { name, port, module, clientCertModule } = exporters.blackboxExporter;
  const labels = labelsOf(name);
  // Module fields: config/config.go of blackbox_exporter v0.28.0.
  const http = { fail_if_not_ssl: true, preferred_ip_protocol: 'ip4' };
  const config = {
    modules: {
      [module]: { prober: 'http', timeout: '10s', http },
      ...(hosts.some((h) => h.clientCertificates) ? { [clientCertModule]: { prober: 'http', timeout: '10s', http: { ...http, valid_status_codes: [400] } } } : {}),
    },
  };
  emitModel(scope, new ConfigMap({ metadata: { name, namespace, labels }, data: { 'blackbox.yml': stringify(config, goYamlOptions) } }));
  deployment(scope, {
    name,
    namespace,
    labels,
    pod: {
      containers: [
        {
          name,
          image: versions.blackboxExporter,
          args: ['--config.file=/etc/blackbox/blackbox.yml', `--web.listen-address=:${port}`],
          ports: [{ name: 'http', containerPort: port }],
          readinessProbe: { httpGet: { port: 'http', path: '/-/healthy' }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 10, periodSeconds: 30 },
          resources,
          volumeMounts: [{ name: 'config', mountPath: '/etc/blackbox', readOnly: true }],
        },
      ],
      volumes: [{ name: 'config', configMap: { name } }],
    },
  });
  service(scope, { name, namespace, labels, selector: labels, ports: [{ name: 'http', port, targetPort: 'http' }] });
  const probe = (probeName: string, probeModule: string, targets: readonly string[]) =>
    emitModel(
      scope,
      new Probe({
        metadata: { name: probeName, namespace, labels },
        spec: {
          prober: { url: `${serviceHost({ namespace, name })}:${port}` },
          module: probeModule,
          interval: '60s',
          targets: { staticConfig: { static: targets.map((h) => `https://${h}`) } },
        },
      }),
    );
  const open = hosts.filter((h) => !h.clientCertificates).map((h) => h.host);
  const guarded = hosts.filter((h) => h.clientCertificates).map((h) => h.host);
  if (open.length > 0) probe('exposed-hosts', module, open);
  if (guarded.length > 0) probe('exposed-hosts-client-cert', clientCertModule, guarded);
}
