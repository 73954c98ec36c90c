/**
 * The parts of Prow's configuration files we write, typed with Prow's own field names so the
 * rendered YAML is exactly what Prow reads. Only what KubeVirt uses is here; add fields as
 * they are needed, with Prow's spelling.
 */
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';

/** A job's container; Prow names it when the job does not. */
export type JobContainer = Omit<IContainer, 'name'> & { name?: string };

export type JobPodSpec = Omit<IPodSpec, 'containers'> & { containers: JobContainer[] };

export interface Preset {
  labels: Record<string, string>;
  env?: { name: string; value: string }[];
  volumes?: unknown[];
  volumeMounts?: unknown[];
}

export interface TideQuery {
  repos?: string[];
  orgs?: string[];
  labels: string[];
  missingLabels: string[];
}

export interface SpyglassLens {
  lens: { name: string; config?: Record<string, unknown> };
  required_files: string[];
  optional_files?: string[];
}

export interface DecorationConfig {
  timeout: string;
  grace_period: string;
  utility_images: { clonerefs: string; initupload: string; entrypoint: string; sidecar: string };
  gcs_configuration: { bucket: string; path_strategy: 'explicit' | 'legacy' | 'single' };
  gcs_credentials_secret: string;
  github_api_endpoints: string[];
}

export type JobType = 'presubmit' | 'postsubmit' | 'periodic' | 'batch';

/** The part of config.yaml the topology decides (build.ts). */
export interface TopologyProwConfig {
  prowjob_namespace: string;
  pod_namespace: string;
  plank: {
    job_url_template: string;
    job_url_prefix_config: Record<string, string>;
    default_decoration_config_entries: { config: DecorationConfig }[];
    /** How many jobs of a queue run at once (job_queue_name of a job). */
    job_queue_capacities: Record<string, number>;
  };
  deck: { spyglass: { gcs_browser_prefix: string } };
  tide: { pr_status_base_urls: Record<string, string> };
  push_gateway: { endpoint: string; serve_metrics: boolean };
  presets: Preset[];
}

/**
 * config.yaml as Prow reads it: the topology's part with policy/config.yaml laid over it. The
 * policy's fields the checks read are typed; the rest is carried through as written.
 */
export type ProwConfig = TopologyProwConfig & {
  deck: { spyglass: { lenses?: SpyglassLens[] } };
  tide: { queries?: TideQuery[] };
  [key: string]: unknown;
};

/** What every kind of job shares. */
export interface JobBase {
  name: string;
  /** The build cluster the job's pod runs on: a cluster of the topology (Prow's default is "default"). */
  cluster?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** How many runs of this job at once. */
  max_concurrency?: number;
  /** The queue the job waits in; plank.job_queue_capacities limits each queue. */
  job_queue_name?: string;
  decorate?: boolean;
  decoration_config?: { timeout?: string; grace_period?: string };
  spec: JobPodSpec;
}

export interface Presubmit extends JobBase {
  always_run?: boolean;
  optional?: boolean;
  run_if_changed?: string;
  skip_if_only_changed?: string;
  branches?: string[];
  skip_branches?: string[];
  context?: string;
  trigger?: string;
  rerun_command?: string;
}

export interface Postsubmit extends JobBase {
  run_if_changed?: string;
  skip_if_only_changed?: string;
  branches?: string[];
  skip_branches?: string[];
}

export interface Periodic extends JobBase {
  interval?: string;
  minimal_interval?: string;
  cron?: string;
  extra_refs?: { org: string; repo: string; base_ref: string; workdir?: boolean }[];
}

/** One file of job-config. */
export interface JobConfig {
  presubmits?: Record<string, Presubmit[]>;
  postsubmits?: Record<string, Postsubmit[]>;
  periodics?: Periodic[];
}

export interface ExternalPlugin {
  name: string;
  endpoint: string;
  events: ('issue_comment' | 'pull_request' | 'pull_request_review' | 'push' | 'status' | 'issues')[];
}

/** The part of plugins.yaml the component records decide (build.ts). */
export interface TopologyPluginsConfig {
  external_plugins: Record<string, ExternalPlugin[]>;
}

/** plugins.yaml as hook reads it: the records' part with policy/plugins.yaml laid over it. */
export type PluginsConfig = TopologyPluginsConfig & {
  plugins?: Record<string, { plugins: string[] }>;
  [key: string]: unknown;
};

/** A label of labels.yaml, with label_sync's field names (label_sync/main.go). */
export interface Label {
  name: string;
  color: string;
  description?: string;
  target: 'prs' | 'issues' | 'both';
  addedBy?: string;
  /** The plugin that adds or removes it. */
  prowPlugin?: string;
  /** Names it had before: label_sync renames those to this one. */
  previously?: { name: string; color?: string; description?: string }[];
  /** Fields label_sync knows that we do not read are carried through. */
  [field: string]: unknown;
}

/** labels.yaml (label_sync) */
export interface LabelsConfig {
  default: { labels: Label[] };
  repos?: Record<string, { labels: Label[] }>;
}
