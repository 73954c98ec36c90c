import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { emitModel } from '@kubevirt-ci/kube';
import { prowNamespace } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import { z } from 'zod';
import { labelsOf, namespace, sidecarService } from './names.ts';

/** One alert: what it watches (PromQL), how long before it fires, and what Slack is told. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: 'warning' | 'critical';
  /** Posted to Slack; may use {{ $labels.x }} and {{ $value }}. */
  readonly summary: string;
}

export interface AlertGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** A PrometheusRule in the monitoring namespace, where the cluster's Prometheus reads rules. */
export function renderAlertRules(scope: Construct, name: string, groups: readonly AlertGroup[]): void {
  emitModel(
    scope,
    new PrometheusRule({
      metadata: { name, namespace, labels: labelsOf(name) },
      spec: {
        groups: groups.map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({ alert: r.alert, expr: r.expr, for: r.for, labels: { severity: r.severity }, annotations: { summary: r.summary } })),
        })),
      },
    }),
  );
}

export const alertValues = z
  .object({
    /** Certificates are flagged this many days before they expire, and again at a week. */
    certificateDays: z.number().int().min(8).default(30),
    volumeWarningPercent: z.number().int().min(50).max(95).default(80),
    volumeCriticalPercent: z.number().int().min(60).max(99).default(90),
  })
  .strict()
  .refine((a) => a.volumeWarningPercent < a.volumeCriticalPercent, { message: 'volumeWarningPercent must be below volumeCriticalPercent', path: ['volumeWarningPercent'] });
export type AlertValues = z.output<typeof alertValues>;

export interface ClusterAlertsOptions {
  readonly alerts: AlertValues;
  /** The cluster serves public hosts, which blackbox-exporter probes. */
  readonly probesHosts: boolean;
  /** After how long a Terminating pod counts as stuck: past the build cluster's own cleanup. */
  readonly stuckTerminatingMinutes: number;
  /** The hub's Prometheus ships blocks through its sidecar; every other one remote-writes to the hub. */
  readonly hub: boolean;
}

const days = (n: number) => n * 86400;

/** The alerts every cluster's Prometheus evaluates: the failures production has seen. */
export function clusterAlerts(o: ClusterAlertsOptions): AlertGroup[] {
  const { certificateDays, volumeWarningPercent, volumeCriticalPercent } = o.alerts;
  const usedPercent = '100 * (1 - kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes)';
  return [
    {
      name: 'certificates',
      rules: [
        {
          alert: 'CertificateExpiresSoon',
          expr: `x509_cert_not_after - time() < ${days(certificateDays)}`,
          for: '1h',
          severity: 'warning',
          summary: `Certificate {{ $labels.subject_CN }} ({{ $labels.namespace }}/{{ $labels.service }}) expires in {{ $value | humanizeDuration }}; renew it before jobs fail.`,
        },
        {
          alert: 'CertificateExpiresThisWeek',
          expr: `x509_cert_not_after - time() < ${days(7)}`,
          for: '10m',
          severity: 'critical',
          summary: 'Certificate {{ $labels.subject_CN }} ({{ $labels.namespace }}/{{ $labels.service }}) expires in {{ $value | humanizeDuration }}.',
        },
        {
          alert: 'CertificateUnreadable',
          expr: 'x509_read_errors > 0',
          for: '15m',
          severity: 'warning',
          summary: 'The certificate exporter in {{ $labels.namespace }} cannot read its certificate, so its expiry is unknown.',
        },
        ...(o.probesHosts
          ? [
              {
                alert: 'ServedCertificateExpiresSoon',
                expr: `probe_ssl_earliest_cert_expiry - time() < ${days(certificateDays)}`,
                for: '1h',
                severity: 'warning',
                summary: `The certificate {{ $labels.instance }} serves expires in {{ $value | humanizeDuration }}; cert-manager should have renewed it by now.`,
              } as const,
              {
                alert: 'ServedCertificateExpiresThisWeek',
                expr: `probe_ssl_earliest_cert_expiry - time() < ${days(7)}`,
                for: '10m',
                severity: 'critical',
                summary: 'The certificate {{ $labels.instance }} serves expires in {{ $value | humanizeDuration }}.',
              } as const,
              {
                alert: 'ExposedHostDown',
                expr: 'probe_success == 0',
                for: '10m',
                severity: 'critical',
                summary: '{{ $labels.instance }} does not answer over TLS.',
              } as const,
            ]
          : []),
      ],
    },
    {
      name: 'volumes',
      rules: [
        {
          alert: 'VolumeFillingUp',
          expr: `${usedPercent} > ${volumeWarningPercent}`,
          for: '15m',
          severity: 'warning',
          summary: `Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanize }}% full (over ${volumeWarningPercent}%).`,
        },
        {
          alert: 'VolumeAlmostFull',
          expr: `${usedPercent} > ${volumeCriticalPercent}`,
          for: '5m',
          severity: 'critical',
          summary: `Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanize }}% full (over ${volumeCriticalPercent}%).`,
        },
        {
          alert: 'NodeDiskAlmostFull',
          expr: `100 * (1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"}) > ${volumeCriticalPercent}`,
          for: '15m',
          severity: 'critical',
          summary: `{{ $labels.mountpoint }} on {{ $labels.node }} is {{ $value | humanize }}% full (over ${volumeCriticalPercent}%).`,
        },
      ],
    },
    {
      name: 'workloads',
      rules: [
        {
          alert: 'ProwComponentDown',
          expr: `kube_deployment_status_replicas_available{namespace="${prowNamespace}"} == 0`,
          for: '5m',
          severity: 'critical',
          summary: `{{ $labels.deployment }} in ${prowNamespace} has no available replica.`,
        },
        {
          alert: 'WorkloadUnavailable',
          expr: `kube_deployment_status_replicas_available{namespace!="${prowNamespace}"} == 0 or kube_statefulset_status_replicas_ready == 0`,
          for: '10m',
          severity: 'critical',
          summary: '{{ $labels.namespace }}/{{ $labels.deployment }}{{ $labels.statefulset }} has no ready replica.',
        },
        {
          alert: 'ScrapeTargetDown',
          expr: 'up == 0',
          for: '10m',
          severity: 'warning',
          summary: '{{ $labels.job }} ({{ $labels.instance }}) cannot be scraped.',
        },
        {
          alert: 'PodStuckTerminating',
          expr: `time() - kube_pod_deletion_timestamp > ${o.stuckTerminatingMinutes * 60}`,
          for: '10m',
          severity: 'warning',
          summary: `{{ $labels.namespace }}/{{ $labels.pod }} has been Terminating for over ${o.stuckTerminatingMinutes} minutes.`,
        },
      ],
    },
    o.hub
      ? {
          name: 'thanos-sidecar',
          rules: [
            {
              alert: 'ThanosSidecarNotUploading',
              // Prometheus cuts a block every 2h; two missed blocks mean history is not reaching the bucket.
              expr: `time() - max by (cluster) (thanos_objstore_bucket_last_successful_upload_time{job="${sidecarService.name}"}) > 4 * 3600`,
              for: '15m',
              severity: 'critical',
              summary: 'The Thanos sidecar has not uploaded a block for over 4 hours; the history stays on the local volume only.',
            },
            {
              alert: 'ThanosSidecarUploadFailing',
              expr: 'increase(thanos_shipper_upload_failures_total[1h]) > 0',
              for: '30m',
              severity: 'warning',
              summary: 'The Thanos sidecar fails to upload blocks to the bucket.',
            },
          ],
        }
      : {
          name: 'remote-write',
          rules: [
            {
              alert: 'PrometheusRemoteWriteBehind',
              // Metric names from storage/remote/queue_manager.go at Prometheus v3.14.0 (module v0.314.0).
              expr: 'max by (remote_name) (prometheus_remote_storage_queue_highest_timestamp_seconds) - max by (remote_name) (prometheus_remote_storage_queue_highest_sent_timestamp_seconds) > 600',
              for: '15m',
              severity: 'critical',
              summary: "This cluster's samples are {{ $value | humanizeDuration }} behind on their way to the hub's Thanos receive: its metrics are missing from Grafana.",
            },
            {
              alert: 'PrometheusRemoteWriteFailing',
              expr: 'rate(prometheus_remote_storage_samples_failed_total[5m]) > 0',
              for: '15m',
              severity: 'warning',
              summary: "The hub's Thanos receive refuses this cluster's samples (a client certificate it does not accept, or a receive that is down).",
            },
          ],
        },
  ];
}
