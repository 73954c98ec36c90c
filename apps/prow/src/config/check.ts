import { labelSetBy, policyPath } from './policy.ts';
import { hookPlugins } from './registered.ts';
import type { Problem } from '@kubevirt-ci/topology';
import { RE2JS } from 're2js';
import type { JobFile } from '../jobs/index.ts';
import { cronError, goDurationError } from '@kubevirt-ci/kube';

/** Prow's job name rule (validateJobName in pkg/config/config.go at our Prow commit). */
const jobNamePattern = /^[A-Za-z0-9-._]+$/;
import type { JobBase, Label, LabelsConfig, PluginsConfig, ProwConfig } from './types.ts';

/** What the generated configuration may refer to. */
export interface Known {
  /** Prow's build clusters, by the name jobs use in `cluster:`. */
  readonly clusters: readonly string[];
  /** Every preset label the config defines. */
  readonly presets: readonly string[];
  /** Presets that hand a job an external KubeVirtCI cluster, with that cluster's queue. */
  readonly externalPresets: ReadonlyMap<string, string>;
  /** Services in Prow's namespace, with their ports, for external plugin endpoints. */
  readonly services: ReadonlyMap<string, readonly number[]>;
  /** Namespaces every build cluster has. */
  readonly namespaces: readonly string[];
}

/** Compiles a regex the way Prow (Go, RE2) does; returns the error, or undefined when it compiles. */
export function regexError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

type Add = (field: string, message: string, fix: string) => void;

function checkRegex(add: Add, field: string, pattern: string | undefined): void {
  if (pattern === undefined) return;
  const err = regexError(pattern);
  if (err) add(field, `${JSON.stringify(pattern)} does not compile as a Go (RE2) regular expression: ${err}`, 'fix the expression; RE2 has no lookaround or backreferences');
}

function checkJob(job: JobBase & Record<string, unknown>, field: string, known: Known, add: Add): void {
  if (!jobNamePattern.test(job.name)) add(`${field}.name`, `"${job.name}" is not a job name Prow accepts (it must match ${jobNamePattern.source})`, 'use letters, digits, dashes, dots and underscores');
  const decoration = job['decoration_config'] as { timeout?: string; grace_period?: string } | undefined;
  for (const key of ['timeout', 'grace_period'] as const) {
    const value = decoration?.[key];
    const err = value === undefined ? undefined : goDurationError(value);
    if (err) add(`${field}.decoration_config.${key}`, err, 'write a Go duration such as 2h or 90m');
  }
  if (!known.clusters.includes(job.cluster)) {
    add(`${field}.cluster`, `"${job.cluster}" is not a Prow build cluster (there are: ${known.clusters.join(', ')})`, 'use one of them, or enable the build-cluster app on the cluster you mean');
  }
  for (const label of Object.keys(job.labels ?? {})) {
    if (label.startsWith('preset-') && !known.presets.includes(label)) {
      add(`${field}.labels`, `preset "${label}" is not defined (there are: ${known.presets.join(', ')})`, 'use a preset an app offers, or offer it from the app the job needs');
    }
    const queue = known.externalPresets.get(label);
    if (queue === undefined) continue;
    if (job.max_concurrency !== 1) {
      add(`${field}.max_concurrency`, `uses ${label}, whose external KubeVirtCI cluster holds one job at a time, but max_concurrency is ${job.max_concurrency ?? 'unset'}`, 'set max_concurrency: 1');
    }
    if (job.job_queue_name !== undefined && job.job_queue_name !== queue) {
      add(`${field}.job_queue_name`, `uses ${label}, so it must wait in queue "${queue}", not "${job.job_queue_name}"`, 'remove job_queue_name; it is set for you');
    }
  }
  for (const key of ['run_if_changed', 'skip_if_only_changed', 'trigger', 'rerun_command'] as const) {
    checkRegex(add, `${field}.${key}`, job[key] as string | undefined);
  }
  for (const key of ['branches', 'skip_branches'] as const) {
    ((job[key] as string[] | undefined) ?? []).forEach((b, i) => checkRegex(add, `${field}.${key}[${i}]`, b));
  }
  if (job['run_if_changed'] !== undefined && job['skip_if_only_changed'] !== undefined) {
    add(field, 'sets both run_if_changed and skip_if_only_changed; Prow refuses that', 'keep one of them');
  }
  if (job['always_run'] === true && (job['run_if_changed'] !== undefined || job['skip_if_only_changed'] !== undefined)) {
    add(`${field}.always_run`, 'always_run with a changed-files condition; Prow refuses that', 'drop always_run or the condition');
  }
}

/**
 * Everything wrong with the generated job config, as problems naming the job file's module,
 * the job and the field. Prow refuses a config with any of these, or (a bad regex) stops
 * loading it, as deck once did in production.
 */
export function checkJobs(files: readonly JobFile[], known: Known): Problem[] {
  const problems: Problem[] = [];
  const names = new Map<string, string>();
  const keys = new Set<string>();
  for (const f of files) {
    if (keys.has(f.file)) problems.push({ file: f.source, object: `job-config file ${f.file}`, field: 'file', message: 'two job files have this name', fix: 'rename one' });
    keys.add(f.file);
    const jobs: { job: JobBase & Record<string, unknown>; field: string }[] = [];
    for (const [kind, byRepo] of [['presubmits', f.config.presubmits], ['postsubmits', f.config.postsubmits]] as const) {
      for (const [repo, list] of Object.entries(byRepo ?? {})) list.forEach((job, i) => jobs.push({ job: job as JobBase & Record<string, unknown>, field: `${kind}.${repo}[${i}]` }));
    }
    (f.config.periodics ?? []).forEach((job, i) => {
      jobs.push({ job: job as JobBase & Record<string, unknown>, field: `periodics[${i}]` });
      const object = `job "${job.name}" in job-config file ${f.file}`;
      if ((job.interval === undefined) === (job.cron === undefined)) {
        problems.push({ file: f.source, object, field: `periodics[${i}]`, message: 'a periodic needs exactly one of interval and cron', fix: 'set interval or cron' });
      }
      const cron = job.cron === undefined ? undefined : cronError(job.cron);
      if (cron) problems.push({ file: f.source, object, field: `periodics[${i}].cron`, message: cron, fix: 'write five fields (minute hour day-of-month month day-of-week), such as "0 3 * * *"' });
      const interval = job.interval === undefined ? undefined : goDurationError(job.interval);
      if (interval) problems.push({ file: f.source, object, field: `periodics[${i}].interval`, message: interval, fix: 'write a Go duration such as 24h' });
    });
    for (const { job, field } of jobs) {
      const add: Add = (fld, message, fix) => problems.push({ file: f.source, object: `job "${job.name}" in job-config file ${f.file}`, field: fld, message, fix });
      const other = names.get(job.name);
      if (other) add(`${field}.name`, `job "${job.name}" is also declared in ${other}`, 'give every job its own name');
      names.set(job.name, f.file);
      checkJob(job, field, known, add);
    }
  }
  return problems;
}

/** Problems in config.yaml and plugins.yaml that the topology or Prow would reject. */
export function checkConfig(source: string, config: ProwConfig, plugins: PluginsConfig, labels: LabelsConfig, known: Known): Problem[] {
  const problems: Problem[] = [];
  // What the policy files say is blamed on them; what the topology derives, on the app.
  const fromPolicy = new Set(['tide', 'deck', 'plugins', 'default', 'repos']);
  const add = (object: 'config.yaml' | 'plugins.yaml' | 'labels.yaml', field: string, message: string, fix: string) =>
    problems.push({ file: fromPolicy.has(field.split('.')[0]!) ? policyPath(object) : source, object, field, message, fix });
  for (const key of ['prowjob_namespace', 'pod_namespace'] as const) {
    if (!known.namespaces.includes(config[key])) add('config.yaml', key, `"${config[key]}" is not a namespace every build cluster has`, 'point it at the jobs namespace');
  }
  (config.deck.spyglass.lenses ?? []).forEach((l, i) => {
    [...l.required_files, ...(l.optional_files ?? [])].forEach((re, j) => {
      const err = regexError(re);
      if (err) add('config.yaml', `deck.spyglass.lenses[${i}] (${l.lens.name}) files[${j}]`, `${JSON.stringify(re)} does not compile as a Go (RE2) regular expression: ${err}`, 'fix the expression');
    });
  });
  for (const [where, list] of Object.entries(plugins.external_plugins)) {
    list.forEach((p, i) => {
      const m = /^http:\/\/([a-z0-9-]+)(?::(\d+))?(\/.*)?$/.exec(p.endpoint);
      const ports = m ? known.services.get(m[1]!) : undefined;
      const port = m?.[2] ? Number(m[2]) : 80;
      if (!m || !ports || !ports.includes(port)) {
        add('plugins.yaml', `external_plugins.${where}[${i}].endpoint`, `external plugin "${p.name}" points at ${p.endpoint}, which is not a Service port in Prow's namespace`, "take the endpoint from the plugin's Service");
      }
    });
  }
  // hook loads only plugins it registers, each once per repository (ValidatePluginsUnknown and
  // validatePluginsDupes, pkg/plugins/config.go at the pin).
  for (const [where, { plugins: names }] of Object.entries(plugins.plugins ?? {})) {
    names.forEach((p, j) => {
      if (!hookPlugins.has(p)) add('plugins.yaml', `plugins.${where}.plugins[${j}]`, `"${p}" is not a plugin the pinned hook registers, so hook would refuse the file`, 'use the name a plugin of pkg/plugins registers at versions.prow.commit');
      const org = where.split('/')[0]!;
      if (where.includes('/') && plugins.plugins?.[org]?.plugins.includes(p)) add('plugins.yaml', `plugins.${where}.plugins[${j}]`, `"${p}" is enabled for the org ${org} already, which hook refuses as a duplicate`, 'enable it in one place');
    });
  }
  // Every label a tide query waits to be absent is set by a plugin that runs on that repository.
  const runs = (plugin: string, repo: string) =>
    [repo, repo.split('/')[0]!].some((k) => plugins.plugins?.[k]?.plugins.includes(plugin) || plugins.external_plugins[k]?.some((p) => p.name === plugin));
  (config.tide.queries ?? []).forEach((q, i) => {
    for (const label of q.missingLabels ?? []) {
      const plugin = labelSetBy[label];
      if (!plugin) continue;
      const without = (q.repos ?? []).filter((r) => !runs(plugin, r));
      if (without.length > 0) {
        add('config.yaml', `tide.queries[${i}].missingLabels`, `tide waits for "${label}" to be absent on ${without.join(', ')}, but the ${plugin} plugin that sets it does not run there, so such pull requests would merge`, `enable ${plugin} for the org or those repositories in plugins.yaml`);
      }
    }
  });
  const lists: [string, Label[]][] = [['default', labels.default.labels], ...Object.entries(labels.repos ?? {}).map(([r, v]): [string, Label[]] => [`repos.${r}`, v.labels])];
  for (const [where, list] of lists) {
    const seen = new Set<string>();
    list.forEach((l, i) => {
      // label_sync decodes the colour as hex (label_sync/main.go getTextColor at its pin).
      if (!/^[0-9a-fA-F]{6}$/.test(l.color)) add('labels.yaml', `${where}.labels[${i}].color`, `label "${l.name}" has color "${l.color}"`, 'use six hex digits, without #');
      if (seen.has(l.name.toLowerCase())) add('labels.yaml', `${where}.labels[${i}].name`, `label "${l.name}" is declared twice (GitHub ignores case)`, 'keep one');
      seen.add(l.name.toLowerCase());
    });
  }
  return problems;
}
