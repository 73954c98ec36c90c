import { greenhouseMetrics as bazel } from '@kubevirt-ci/app-greenhouse';

/**
 * Dashboards as code: each is a list of time series panels, one PromQL query each, rendered
 * to Grafana's JSON model against the one datasource. A `cluster` variable (every cluster's
 * external label) filters them all.
 */

export interface Panel {
  readonly title: string;
  readonly expr: string;
  /** How each series is named in the legend ({{label}} placeholders). */
  readonly legend: string;
  /** Grafana's unit id: percentunit, bytes, s, reqps, short, ... */
  readonly unit: string;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly panels: readonly Panel[];
}

/** The series filter every query carries: the clusters chosen in the variable. */
const inCluster = 'cluster=~"$cluster"';

/** The per-cluster rate of several counters summed, over the selected clusters. */
const rateOf = (counters: readonly string[]) => `sum by (cluster) (${counters.map((c) => `rate(${c}{${inCluster}}[5m])`).join(' + ')})`;

export const dashboards: readonly Dashboard[] = [
  {
    uid: 'kubevirt-ci-prow',
    title: 'Prow',
    description: "Prow's components: jobs, webhooks, merges and the GitHub API budget",
    panels: [
      { title: 'Components up', expr: `min by (job) (up{namespace="kubevirt-prow", ${inCluster}})`, legend: '{{job}}', unit: 'short' },
      { title: 'ProwJobs by state', expr: `sum by (state) (prowjobs{${inCluster}})`, legend: '{{state}}', unit: 'short' },
      { title: 'Webhooks received', expr: `sum by (event_type) (rate(prow_webhook_counter{${inCluster}}[5m]))`, legend: '{{event_type}}', unit: 'reqps' },
      { title: 'Pull requests in Tide pools', expr: `sum by (org, repo) (pooledprs{${inCluster}})`, legend: '{{org}}/{{repo}}', unit: 'short' },
      { title: 'GitHub API tokens left', expr: `min by (api_version) (github_token_usage{${inCluster}})`, legend: '{{api_version}}', unit: 'short' },
      { title: 'ghproxy responses by cache mode', expr: `sum by (mode) (rate(ghcache_responses{${inCluster}}[5m]))`, legend: '{{mode}}', unit: 'reqps' },
    ],
  },
  {
    uid: 'kubevirt-ci-caches',
    title: 'Caches',
    description: 'The bazel cache, the docker proxy and the volumes of both',
    panels: [
      { title: 'Bazel cache hit ratio', expr: `${rateOf(bazel.hits)} / (${rateOf(bazel.hits)} + ${rateOf(bazel.misses)})`, legend: 'hit ratio {{cluster}}', unit: 'percentunit' },
      { title: 'Bazel cache disk used', expr: `max by (cluster) (${bazel.diskUsedGB}{${inCluster}} / ${bazel.diskTotalGB}{${inCluster}})`, legend: '{{cluster}}', unit: 'percentunit' },
      { title: 'Volumes used', expr: `1 - kubelet_volume_stats_available_bytes{${inCluster}} / kubelet_volume_stats_capacity_bytes{${inCluster}}`, legend: '{{cluster}} {{namespace}}/{{persistentvolumeclaim}}', unit: 'percentunit' },
      { title: 'Days until certificates expire', expr: `(x509_cert_not_after{${inCluster}} - time()) / 86400`, legend: '{{cluster}} {{namespace}} {{subject_CN}}', unit: 'd' },
    ],
  },
  {
    uid: 'kubevirt-ci-clusters',
    title: 'Clusters',
    description: 'Nodes, pods and disks of every cluster',
    panels: [
      { title: 'CPU busy', expr: `1 - avg by (cluster, node) (rate(node_cpu_seconds_total{mode="idle", ${inCluster}}[5m]))`, legend: '{{cluster}} {{node}}', unit: 'percentunit' },
      { title: 'Memory used', expr: `1 - node_memory_MemAvailable_bytes{${inCluster}} / node_memory_MemTotal_bytes{${inCluster}}`, legend: '{{cluster}} {{node}}', unit: 'percentunit' },
      {
        title: 'Node disks used',
        expr: `1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs", ${inCluster}} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs", ${inCluster}}`,
        legend: '{{cluster}} {{node}} {{mountpoint}}',
        unit: 'percentunit',
      },
      { title: 'Pods by phase', expr: `sum by (cluster, phase) (kube_pod_status_phase{${inCluster}})`, legend: '{{cluster}} {{phase}}', unit: 'short' },
      { title: 'Pods Terminating', expr: `count by (cluster, namespace) (kube_pod_deletion_timestamp{${inCluster}})`, legend: '{{cluster}} {{namespace}}', unit: 'short' },
      { title: 'Thanos sidecar: hours since last upload', expr: `(time() - max by (cluster) (thanos_objstore_bucket_last_successful_upload_time{job="thanos-sidecar", ${inCluster}})) / 3600`, legend: '{{cluster}}', unit: 'h' },
    ],
  },
];

/** A dashboard in Grafana's JSON model, every query on the datasource with this uid. */
export function dashboardJson(d: Dashboard, datasource: { readonly type: string; readonly uid: string }): Record<string, unknown> {
  const ds = { type: datasource.type, uid: datasource.uid };
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['kubevirt-ci'],
    timezone: 'utc',
    editable: false,
    schemaVersion: 39,
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [
        {
          name: 'cluster',
          label: 'cluster',
          type: 'query',
          datasource: ds,
          query: { query: 'label_values(up, cluster)', refId: 'clusters' },
          refresh: 2,
          includeAll: true,
          multi: true,
          current: { text: 'All', value: '$__all' },
        },
      ],
    },
    panels: d.panels.map((p, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      datasource: ds,
      gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
      targets: [{ refId: 'A', datasource: ds, expr: p.expr, legendFormat: p.legend }],
    })),
  };
}
