import { jobsNamespace, prowImage, type JobPreset, type Versions } from '@kubevirt-ci/topology';
import { prowSecrets, serviceUrl } from '../shared.ts';
import type { ExternalPlugin, Preset, TopologyPluginsConfig, TopologyProwConfig } from './types.ts';

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

/**
 * Prow's job links, production's template with deck's host and the bucket from the topology:
 * presubmits and batches under pr-logs, the rest under logs.
 */
function jobUrlTemplate(deck: string, bucket: string): string {
  const kind = '{{if eq .Spec.Type "presubmit"}}pr-logs/pull{{else if eq .Spec.Type "batch"}}pr-logs/pull{{else}}logs{{end}}';
  const repo = '{{if .Spec.Refs}}{{if ne .Spec.Refs.Org ""}}/{{.Spec.Refs.Org}}_{{.Spec.Refs.Repo}}{{end}}{{end}}';
  const pull = '{{if eq .Spec.Type "presubmit"}}/{{with index .Spec.Refs.Pulls 0}}{{.Number}}{{end}}{{else if eq .Spec.Type "batch"}}/batch{{end}}';
  return `${deck}/view/gs/${bucket}/${kind}${repo}${pull}/{{.Spec.Job}}/{{.Status.BuildID}}/`;
}

/**
 * The part of config.yaml that says where things run, from the topology: namespaces, hosts,
 * the bucket, utility images, queues, presets. KubeVirt's policy (policy/config.yaml) is laid
 * over it.
 */
export function prowConfigOf(x: ConfigInput): TopologyProwConfig {
  const deck = `https://${x.deckHost}`;
  return {
    prowjob_namespace: jobsNamespace,
    pod_namespace: jobsNamespace,
    plank: {
      job_url_template: jobUrlTemplate(deck, x.bucket),
      job_url_prefix_config: { '*': `${deck}/view/` },
      default_decoration_config_entries: [
        {
          config: {
            gcs_configuration: { bucket: x.bucket, path_strategy: 'explicit' },
            gcs_credentials_secret: prowSecrets.gcsCredentials.name,
            github_api_endpoints: [serviceUrl('ghproxy'), x.githubApi],
            utility_images: {
              clonerefs: prowImage('clonerefs', x.versions),
              entrypoint: prowImage('entrypoint', x.versions),
              initupload: prowImage('initupload', x.versions),
              sidecar: prowImage('sidecar', x.versions),
            },
            // Production's: a job may run two hours and gets 15 s to upload after a kill.
            grace_period: '15s',
            timeout: '2h',
          },
        },
      ],
      job_queue_capacities: { ...x.queues },
    },
    deck: { spyglass: { gcs_browser_prefix: `https://${x.gcswebHost}/gcs/` } },
    tide: { pr_status_base_urls: { '*': `${deck}/pr` } },
    push_gateway: { endpoint: 'pushgateway', serve_metrics: true },
    presets: x.presets.map(presetOf),
  };
}

/** A component that registers as an external plugin: where hook reaches it, and for what. */
export interface PluginRegistration {
  readonly name: string;
  /** Its Service's port. */
  readonly port: number;
  readonly events: readonly string[];
  /** The orgs and repositories (org/repo) it serves; the topology's org when undefined. */
  readonly where?: readonly string[];
}

/**
 * The part of plugins.yaml derived from the component records: where hook reaches each
 * external plugin, for what, in the org and the other repositories each serves (the org's
 * first). The in-tree plugins and their settings are policy/plugins.yaml's.
 */
export function pluginsConfigOf(org: string, registered: readonly PluginRegistration[]): TopologyPluginsConfig {
  const external: Record<string, ExternalPlugin[]> = { [org]: [] };
  for (const p of registered) {
    for (const where of p.where ?? [org]) {
      (external[where] ??= []).push({ name: p.name, endpoint: `http://${p.name}${p.port === 80 ? '' : `:${p.port}`}`, events: [...p.events] as ExternalPlugin['events'] });
    }
  }
  return { external_plugins: Object.fromEntries(Object.entries(external).filter(([, list]) => list.length > 0)) };
}
