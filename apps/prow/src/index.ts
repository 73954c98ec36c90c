import { app as buildCluster } from '@kubevirt-ci/app-build-cluster';
import { cacheStorage, type CacheStorage, cacheVolume, containerResources, emitModel, exposedIngress, goYamlOptions, kindClaim, kindResources } from '@kubevirt-ci/kube';
import {
  bucketName,
  defineApp,
  exposedService,
  facts,
  jobPresetsOn,
  jobsNamespace,
  kubevirtciPreset,
  kubevirtciQueue,
  prowBuildClusters,
  prowNamespace,
  sourceOf,
  TopologyError,
  type AppContext,
  type Flow,
  type JobPreset,
  type MetricsEndpoint,
  type ProvidedObject,
  type Topology,
} from '@kubevirt-ci/topology';
import { ConfigMap, type IResourceRequirements } from 'kubernetes-models/v1';
import { stringify } from 'yaml';
import { z } from 'zod';
import { labelsOf, renderComponent, servicesMismatch, type Component } from './component.ts';
export { prowHealth } from './component.ts';
import { ghproxyCacheSizeGB } from './components/cache.ts';
import type { ComponentContext } from './components/context.ts';
import { coreComponents } from './components/core.ts';
import { asBotUser, withGcsEmulator } from './components/fakes.ts';
import { metricsPort } from './components/mounts.ts';
import { batchComponents, pluginComponents, serviceComponents } from './components/secondary.ts';
import { checkConfig, type Known } from './config/check.ts';
import { checkJobs } from './jobs/check.ts';
import { pluginsConfigOf, prowConfigOf } from './config/build.ts';
import { labelsPolicy, overlay, readPolicy } from './config/policy.ts';
import { jobsDir, loadJobTree, type JobFile } from './jobs/index.ts';
import { shardJobFiles } from './jobs/shards.ts';
import type { PluginsConfig, ProwConfig } from './config/types.ts';
import { jobConfig, labelConfig, plainProwConfigPath, pluginsConfig, prowConfig, prowSecrets, services } from './shared.ts';

export { ghproxyCacheSizeGB } from './components/cache.ts';
export { regexError } from './config/check.ts';
export type * from './config/types.ts';
export type { JobFile } from './jobs/index.ts';
export { configHashAnnotation } from '@kubevirt-ci/kube';
export { prowConfig, pluginsConfig, jobConfig, labelConfig, plainProwConfigPath, prowSecrets } from './shared.ts';

const name = 'prow';


const values = z
  .object({
    ghproxy: z
      .object({
        storage: cacheStorage.default({ type: 'claim', size: '100Gi' }),
        /** Share of the volume kept out of the cache. */
        headroomPercent: z.number().int().min(5).max(50).default(10),
      })
      .strict()
      .prefault({}),
    needsRebasePeriod: z.string().regex(/^\d+[hm]$/, 'must be a duration such as 3h').default('3h'),
    labelSync: z
      .object({ schedule: z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a five-field cron schedule').default('17 23 * * *') })
      .strict()
      .prefault({}),
    /** Production's: every hour, at 54 minutes past. */
    branchProtector: z
      .object({ schedule: z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a five-field cron schedule').default('54 * * * *') })
      .strict()
      .prefault({}),
    /** Per component, over the defaults above. */
    resources: z
      .record(z.string(), containerResources)
      .superRefine((r, ctx) => {
        for (const c of Object.keys(r)) {
          if (!(c in defaultResources)) ctx.addIssue({ code: 'custom', path: [c], message: `names no Prow component (there are: ${Object.keys(defaultResources).join(', ')})` });
        }
      })
      .default({}),
    /**
     * Run against the fakes of Prow's integration tests (the smoke test on kind): GitHub as the
     * bot user (the topology's GitHub API is then the fake's), GCS through this emulator host.
     */
    fakes: z.object({ gcsEmulatorHost: z.string().min(1) }).strict().optional(),
    /** The job files; by default every file under apps/prow/jobs (tests give their own). */
    jobs: z.custom<readonly JobFile[]>((v) => Array.isArray(v), 'must be a list of job files').optional(),
  })
  .strict();

type Values = z.output<typeof values>;

/**
 * Requests per component, from each component's record as the repository's facts and the
 * default values build it (names and requests do not depend on either).
 */
export const defaultResources: Readonly<Record<string, { cpu: string; memory: string }>> = Object.fromEntries(
  components({ topology: facts, values: values.parse({}) }).map((c) => [c.name, c.resources]),
);

/** The ProwJob CRD's directory in the Prow repository. */
const crdPath = 'config/prow/cluster/prowjob-crd';

/** What the components are built from: the facts and the app's values. */
type Inputs = { readonly topology: Pick<Topology, 'versions' | 'external' | 'exposedServices' | 'gitops'>; readonly values: Values };

function componentContext(ctx: Inputs): ComponentContext {
  const { topology, values: v } = ctx;
  return {
    versions: topology.versions,
    bucket: bucketName(topology, 'build-results'),
    org: topology.external.github.org,
    githubApi: topology.external.github.api,
    exposedPorts: { deck: exposedService(topology, 'deck').port, gcsweb: exposedService(topology, 'gcsweb').port },
    ghproxy: { claim: 'ghproxy', cacheSizeGB: ghproxyCacheSizeGB(v.ghproxy.storage.size, v.ghproxy.headroomPercent) },
    needsRebasePeriod: v.needsRebasePeriod,
    rehearse: { jobsConfigBase: `${topology.gitops.basePath}${jobsDir}`, prowConfigPath: `${topology.gitops.basePath}${plainProwConfigPath}` },
    labelSyncSchedule: v.labelSync.schedule,
    branchProtectorSchedule: v.branchProtector.schedule,
  };
}

/** Every component of Prow, in the order the inventory lists them: the Deployments, then the CronJobs. */
export function components(ctx: Inputs): Component[] {
  const x = componentContext(ctx);
  const fakes = ctx.values.fakes;
  const comps = [...coreComponents(x), ...pluginComponents(x), ...serviceComponents(x), ...batchComponents(x)].map((c) => (fakes ? withGcsEmulator(asBotUser(c), fakes.gcsEmulatorHost) : c));
  const wrong = servicesMismatch(comps);
  if (wrong.length > 0) throw new Error(`apps/prow: ${wrong.join('; ')}`);
  return comps;
}

function resourcesOf(v: Values, c: Component): IResourceRequirements {
  return v.resources[c.name] ?? { requests: { ...c.resources }, limits: { memory: c.resources.memory } };
}

/** The presets Prow applies: those the build clusters' apps offer (synth checks they agree). */
function offeredPresets(ctx: AppContext<Values>): JobPreset[] {
  const byLabel = new Map<string, JobPreset>();
  for (const c of prowBuildClusters(ctx.topology)) for (const p of jobPresetsOn(c)) if (!byLabel.has(p.label)) byLabel.set(p.label, p);
  return [...byLabel.values()];
}

/**
 * Prow's configuration, checked against the topology (throws every problem at once): `files`
 * by the ConfigMap each component mounts, which the config hash is taken over; `configMaps`,
 * what is rendered, job-config as its shards; `projected`, the shards a mount combines.
 */
export interface ProwConfigMaps {
  readonly files: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly projected: ReadonlyMap<string, readonly string[]>;
}

/** A job-config shard's name. */
export const jobConfigShard = (i: number) => `${jobConfig.name}-${i + 1}`;

export function prowConfigMaps(ctx: AppContext<Values>, comps: readonly Component[]): ProwConfigMaps {
  const { topology, values: v } = ctx;
  const buildClusters = prowBuildClusters(topology);
  if (buildClusters.length === 0) {
    throw new Error(`no cluster enables the ${buildCluster.name} app, so Prow has nowhere to run jobs; enable it on the roles whose clusters run jobs`);
  }
  const externalPresets = new Map(Object.keys(topology.kubevirtci).map((k) => [kubevirtciPreset(k), kubevirtciQueue(k)]));
  const presets = offeredPresets(ctx);
  const derivedConfig = prowConfigOf({
    versions: topology.versions,
    bucket: bucketName(topology, 'build-results'),
    deckHost: exposedService(topology, 'deck').host,
    gcswebHost: exposedService(topology, 'gcsweb').host,
    githubApi: topology.external.github.api,
    presets,
    queues: Object.fromEntries([...externalPresets.values()].map((q) => [q, 1])),
  });
  const derivedPlugins = pluginsConfigOf(
    topology.external.github.org,
    comps.flatMap((c) => (c.plugin ? [{ name: c.name, port: c.ports.find((p) => p.service !== undefined)!.service!, events: c.plugin.events, where: c.plugin.where }] : [])),
  );
  const configPolicy = readPolicy('config.yaml');
  const pluginsPolicy = readPolicy('plugins.yaml');
  const labelsRead = labelsPolicy();
  const read = [...configPolicy.problems, ...pluginsPolicy.problems, ...labelsRead.problems];
  if (read.length > 0) throw new TopologyError(read);
  const configured = overlay('config.yaml', derivedConfig, configPolicy.value);
  const plugged = overlay('plugins.yaml', derivedPlugins, pluginsPolicy.value);
  const config = configured.value as ProwConfig;
  const plugins = plugged.value as PluginsConfig;
  const labels = labelsRead.value;
  const tree = v.jobs ? { files: v.jobs, problems: [] } : loadJobTree();
  const jobs = tree.files;
  const sharded = shardJobFiles(jobs);
  const known: Known = {
    clusters: buildClusters.map((c) => c.name),
    presets: presets.map((p) => p.label),
    externalPresets,
    services: new Map(comps.map((c) => [c.name, c.ports.flatMap((p) => (p.service === undefined ? [] : [p.service]))])),
    namespaces: [jobsNamespace],
  };
  const problems = [...configured.problems, ...plugged.problems, ...checkConfig(sourceOf(app), config, plugins, labels, known), ...tree.problems, ...checkJobs(jobs, known), ...sharded.problems];
  if (problems.length > 0) throw new TopologyError(problems);
  const single = new Map<string, Record<string, string>>([
    [prowConfig.name, { [prowConfig.key]: stringify(config, goYamlOptions) }],
    [pluginsConfig.name, { [pluginsConfig.key]: stringify(plugins, goYamlOptions) }],
    [labelConfig.name, { [labelConfig.key]: labelsRead.text }],
  ]);
  const shards = sharded.shards.map((data, i) => [jobConfigShard(i), data] as const);
  return {
    // The jobs as data: a comment, an anchor or a move to another shard rolls no pod.
    files: new Map([...single, [jobConfig.name, Object.fromEntries(jobs.map((f) => [f.file, JSON.stringify(f.config)]))]]),
    configMaps: new Map([...single, ...shards]),
    projected: new Map([[jobConfig.name, shards.map(([name]) => name)]]),
  };
}

export const app = defineApp({
  name,
  component: 'Prow control plane',
  description: 'all the Prow components: the main microservices, the external plugins and the secondary components',
  values,
  kindValues: { ghproxy: { storage: kindClaim('2Gi') }, resources: Object.fromEntries(Object.keys(defaultResources).map((c) => [c, kindResources()])) },
  requires: [buildCluster.name, 'cert-manager'],

  namespaces: () => [prowNamespace, jobsNamespace],

  releases: ({ topology }) => [
    {
      name: 'prowjob-crd',
      namespace: prowNamespace,
      source: { type: 'git', repoURL: topology.versions.prow.repo, revision: topology.versions.prow.commit, path: crdPath },
      installs: [{ group: 'prow.k8s.io', kind: 'ProwJob', scope: 'Namespaced' }],
      creates: { cluster: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }], namespaced: [] },
      // About 667 KB of schema: far past what a client-side apply's annotation can hold.
      serverSideApply: true,
    },
  ],

  render: (scope, ctx) => {
    const { topology, cluster, values: v } = ctx;
    const comps = components(ctx);
    const data = prowConfigMaps(ctx, comps);
    for (const [cm, d] of data.configMaps) emitModel(scope, new ConfigMap({ metadata: { name: cm, namespace: prowNamespace, labels: labelsOf('config') }, data: d }));

    const ghproxy = comps.find((c) => c.name === 'ghproxy')!;
    cacheVolume(scope, { name: 'ghproxy', namespace: prowNamespace, volume: 'cache', storage: v.ghproxy.storage as CacheStorage, labels: labelsOf(ghproxy.name) });
    for (const c of comps) renderComponent(scope, c, resourcesOf(v, c), data.files, data.projected);

    const deck = exposedService(topology, 'deck');
    const hook = comps.find((c) => c.name === 'hook')!;
    exposedIngress(scope, cluster, 'deck', deck, [
      { path: '/', service: deck.service, port: deck.port },
      { path: '/hook', service: hook.name, port: services.hook.port },
    ]);
    exposedIngress(scope, cluster, 'gcsweb', exposedService(topology, 'gcsweb'));
  },

  provided: ({ topology }) =>
    Object.values(prowSecrets).map(
      (s): ProvidedObject => ({
        kind: 'Secret',
        namespace: prowNamespace,
        name: s.name,
        keys: s.keys,
        description: s.description,
        ...(s === prowSecrets.kubeconfig ? { contexts: prowBuildClusters(topology).map((c) => c.name) } : {}),
      }),
    ),

  // Every component whose Service carries Prow's metrics port, and the push gateway, whose
  // series keep the job labels their pushers gave them.
  metrics: (ctx) =>
    components(ctx).flatMap((c): MetricsEndpoint[] => {
      if (c.name === 'pushgateway') return [{ name: c.name, namespace: prowNamespace, selector: labelsOf(c.name), port: 'http', honorLabels: true, description: 'metrics pushed by ghproxy and jobs' }];
      return c.ports.some((p) => p.name === metricsPort.name && p.service !== undefined)
        ? [{ name: c.name, namespace: prowNamespace, selector: labelsOf(c.name), port: metricsPort.name, description: `Prow's ${c.name}` }]
        : [];
    }),

  flows: ({ topology, cluster }) => [
    { kind: 'webhooks', label: 'pull request and comment events', direction: 'in', peer: { external: 'github' } },
    { kind: 'notifications', label: 'statuses, comments and merges', direction: 'out', peer: { external: 'github' } },
    { kind: 'storage', label: 'job results and logs', direction: 'out', peer: { bucket: 'build-results' } },
    { kind: 'notifications', label: 'failed postsubmits and periodics', direction: 'out', peer: { external: 'slack' } },
    ...prowBuildClusters(topology)
      .filter((c) => c.name !== cluster.name)
      .map((c): Flow => ({ kind: 'jobs', label: 'schedules test pods', direction: 'out', peer: { cluster: c.name, component: buildCluster.component } })),
  ],
});
