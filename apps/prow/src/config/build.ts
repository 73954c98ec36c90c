import { jobsNamespace, prowImage, type JobPreset, type Versions } from '@kubevirt-ci/topology';
import type { JobFile } from '../jobs/index.ts';
import { prowSecrets, serviceUrl } from '../shared.ts';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { lenses, orgPlugins, rerunAuth, slackReporters, tide } from './policy.ts';
import type { ExternalPlugin, JobBase, JobConfig, LabelsConfig, PluginsConfig, Preset, ProwConfig } from './types.ts';

export interface ConfigInput {
  readonly versions: Versions;
  /** The GCS bucket of build results. */
  readonly bucket: string;
  readonly deckHost: string;
  readonly gcswebHost: string;
  /** GitHub's API, behind ghproxy in the jobs' decoration too. */
  readonly githubApi: string;
  /** The presets every build cluster offers (identical on each; synth checks). */
  readonly presets: readonly JobPreset[];
  /** Job queues and how many jobs each runs at once. */
  readonly queues: Readonly<Record<string, number>>;
}

export function presetOf(p: JobPreset): Preset {
  return {
    labels: { [p.label]: 'true' },
    ...(p.env.length ? { env: p.env.map((e) => ({ ...e })) } : {}),
    ...(p.volumes.length ? { volumes: p.volumes.map((v) => ({ ...v })) } : {}),
    ...(p.volumeMounts.length ? { volumeMounts: p.volumeMounts.map((m) => ({ ...m })) } : {}),
  };
}

/** config.yaml: namespaces, plank, sinker, deck, tide and the presets, from the topology. */
export function prowConfigOf(x: ConfigInput): ProwConfig {
  const deck = `https://${x.deckHost}`;
  return {
    prowjob_namespace: jobsNamespace,
    pod_namespace: jobsNamespace,
    log_level: 'info',
    plank: {
      job_url_prefix_config: { '*': `${deck}/view/` },
      pod_pending_timeout: '60m',
      pod_unscheduled_timeout: '24h',
      default_decoration_config_entries: [
        {
          config: {
            timeout: '2h',
            grace_period: '15s',
            utility_images: {
              clonerefs: prowImage('clonerefs', x.versions),
              initupload: prowImage('initupload', x.versions),
              entrypoint: prowImage('entrypoint', x.versions),
              sidecar: prowImage('sidecar', x.versions),
            },
            gcs_configuration: { bucket: x.bucket, path_strategy: 'explicit' },
            gcs_credentials_secret: prowSecrets.gcsCredentials.name,
            github_api_endpoints: [serviceUrl('ghproxy'), x.githubApi],
          },
        },
      ],
      job_queue_capacities: { ...x.queues },
    },
    // Production's ages: ProwJobs are kept two days, finished pods half an hour.
    sinker: { resync_period: '1m', max_prowjob_age: '48h', max_pod_age: '30m', terminated_pod_ttl: '2h' },
    deck: {
      spyglass: { size_limit: 500_000_000, gcs_browser_prefix: `https://${x.gcswebHost}/gcs/`, lenses },
      tide_update_period: '1s',
      rerun_auth_configs: rerunAuth,
    },
    tide: { ...tide, pr_status_base_urls: { '*': `${deck}/pr` } },
    push_gateway: { endpoint: 'pushgateway', serve_metrics: true },
    slack_reporter_configs: slackReporters,
    presets: x.presets.map(presetOf),
  };
}

/** A component that registers as an external plugin: where hook reaches it, and for what. */
export interface PluginRegistration {
  readonly name: string;
  /** Its Service's port. */
  readonly port: number;
  readonly events: readonly string[];
  /** One repository of the org; the whole org when undefined. */
  readonly repo?: string;
}

/** plugins.yaml: the in-tree plugins and where the external ones listen (the org's first). */
export function pluginsConfigOf(org: string, registered: readonly PluginRegistration[]): PluginsConfig {
  const external: Record<string, ExternalPlugin[]> = { [org]: [] };
  for (const p of registered) {
    const where = p.repo ? `${org}/${p.repo}` : org;
    (external[where] ??= []).push({ name: p.name, endpoint: `http://${p.name}${p.port === 80 ? '' : `:${p.port}`}`, events: [...p.events] as ExternalPlugin['events'] });
  }
  return {
    plugins: orgPlugins,
    external_plugins: Object.fromEntries(Object.entries(external).filter(([, list]) => list.length > 0)),
    size: { s: 10, m: 30, l: 100, xl: 500, xxl: 1000 },
  };
}

/**
 * labels.yaml: production's label definitions (src/config/labels.yaml), read as they are, so
 * every field label_sync knows is carried through unchanged.
 */
export function labelsConfigOf(): LabelsConfig {
  return parse(readFileSync(new URL('./labels.yaml', import.meta.url), 'utf8')) as LabelsConfig;
}

function withQueue<J extends JobBase>(job: J, externalPresets: ReadonlyMap<string, string>): J {
  const queue = Object.keys(job.labels ?? {}).map((l) => externalPresets.get(l)).find((q) => q !== undefined);
  return queue && job.job_queue_name === undefined ? { ...job, job_queue_name: queue } : job;
}

/**
 * The job files with every job that uses an external KubeVirtCI cluster put in that cluster's
 * queue, so two different jobs never share the cluster at once (max_concurrency alone only
 * limits one job).
 */
export function queuedJobs(files: readonly JobFile[], externalPresets: ReadonlyMap<string, string>): JobFile[] {
  const mapRepos = <J extends JobBase>(byRepo: Record<string, J[]> | undefined) =>
    byRepo && Object.fromEntries(Object.entries(byRepo).map(([repo, jobs]) => [repo, jobs.map((j) => withQueue(j, externalPresets))]));
  return files.map((f) => {
    const config: JobConfig = {
      ...(f.config.presubmits ? { presubmits: mapRepos(f.config.presubmits) } : {}),
      ...(f.config.postsubmits ? { postsubmits: mapRepos(f.config.postsubmits) } : {}),
      ...(f.config.periodics ? { periodics: f.config.periodics.map((j) => withQueue(j, externalPresets)) } : {}),
    };
    return { ...f, config };
  });
}
