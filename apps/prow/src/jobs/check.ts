import { cronError, goDurationError } from '@kubevirt-ci/kube';
import type { Problem } from '@kubevirt-ci/topology';
import { RE2JS } from 're2js';
import { regexError, type Known } from '../config/check.ts';
import type { JobBase, Periodic } from '../config/types.ts';
import type { JobFile, YamlPath } from './job-file.ts';

/** Prow's job name rule (validateJobName in pkg/config/config.go at our Prow commit). */
const jobNamePattern = /^[A-Za-z0-9-._]+$/;
/** A Kubernetes label value (k8s.io/apimachinery validation.IsValidLabelValue). */
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** A qualified name, the key of a label or annotation (validation.IsQualifiedName). */
const qualifiedNamePattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

type Job = JobBase & Record<string, unknown>;
type Add = (path: YamlPath, message: string, fix: string) => void;

const fieldOf = (path: YamlPath) => path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkRegex(add: Add, path: YamlPath, pattern: unknown): void {
  if (pattern === undefined) return;
  if (typeof pattern !== 'string') return add(path, `is ${JSON.stringify(pattern)}, not a string`, 'write the regular expression as a string');
  const err = regexError(pattern);
  if (err) add(path, `${JSON.stringify(pattern)} does not compile as a Go (RE2) regular expression: ${err}`, 'fix the expression; RE2 has no lookaround or backreferences');
}

/** Prow's Brancher.Intersects (pkg/config/jobs.go): could two jobs run for the same branch? */
function branchesIntersect(a: Job, b: Job): boolean {
  const br = (j: Job) => ({ branches: (j['branches'] as string[] | undefined) ?? [], skip: (j['skip_branches'] as string[] | undefined) ?? [] });
  const runs = (x: ReturnType<typeof br>, branch: string) => {
    const match = (list: string[]) => list.length > 0 && regexError(list.join('|')) === undefined && RE2JS.compile(list.join('|')).matcher(branch).find();
    if (x.skip.length > 0 && match(x.skip)) return false;
    return x.branches.length === 0 || match(x.branches);
  };
  const intersects = (x: ReturnType<typeof br>, y: ReturnType<typeof br>): boolean => {
    if ((x.branches.length === 0 && x.skip.length === 0) || (y.branches.length === 0 && y.skip.length === 0)) return true;
    if (x.branches.length > 0) return y.branches.length > 0 ? x.branches.some((b) => y.branches.includes(b)) : x.branches.some((b) => runs(y, b));
    return y.branches.length === 0 ? true : intersects(y, x);
  };
  return intersects(br(a), br(b));
}

/** The rules of validateJobBase and the topology's, on one job. */
function checkJob(job: Job, at: YamlPath, kind: 'presubmits' | 'postsubmits' | 'periodics', known: Known, add: Add): void {
  const name = job.name;
  if (typeof name !== 'string' || !jobNamePattern.test(name)) add([...at, 'name'], `${JSON.stringify(name)} is not a job name Prow accepts (it must match ${jobNamePattern.source})`, 'use letters, digits, dashes, dots and underscores');
  else if (name.length > 63 || !labelValuePattern.test(name)) {
    add([...at, 'name'], `"${name}" is not a valid label value (at most 63 characters, a letter or digit at each end), and Prow puts it in its ProwJob's and pod's prow.k8s.io/job label, cut to 63 (pkg/pod-utils/decorate/podspec.go), so jobs cut alike are one to label selectors`, 'shorten the name');
  }
  const cluster = job.cluster ?? 'default';
  if (!known.clusters.includes(cluster)) {
    const unset = job.cluster === undefined ? ' (cluster is unset, and Prow defaults it to "default")' : '';
    add([...at, 'cluster'], `"${cluster}" is not a Prow build cluster${unset}; there are: ${known.clusters.join(', ')}`, 'set cluster to one of them, or enable the build-cluster app on the cluster you mean');
  }
  const mc = job.max_concurrency;
  if (mc !== undefined && (!Number.isInteger(mc) || mc < 0)) add([...at, 'max_concurrency'], `${JSON.stringify(mc)} is not a non-negative whole number`, 'write 0 (no limit) or how many runs may run at once');
  if (job.spec === undefined && (job['agent'] ?? 'kubernetes') === 'kubernetes') add(at, 'has no spec; a kubernetes job needs one', 'give it spec.containers');
  else if (job.spec !== undefined && (!isObject(job.spec) || !Array.isArray(job.spec.containers) || job.spec.containers.length === 0)) add([...at, 'spec', 'containers'], 'is not a list of at least one container', 'give the job spec.containers');
  const decoration = job['decoration_config'];
  if (decoration !== undefined && !isObject(decoration)) add([...at, 'decoration_config'], 'is not a mapping', "write decoration_config with Prow's field names");
  for (const key of ['timeout', 'grace_period'] as const) {
    const value = isObject(decoration) ? decoration[key] : undefined;
    const err = value === undefined ? undefined : typeof value === 'string' ? goDurationError(value) : `${JSON.stringify(value)} is not a duration`;
    if (err) add([...at, 'decoration_config', key], err, 'write a Go duration such as 2h or 90m');
  }
  const labels = job.labels ?? {};
  if (!isObject(labels)) add([...at, 'labels'], 'is not a mapping of label to value', 'write labels as key: "value" pairs');
  for (const [label, value] of Object.entries(isObject(labels) ? labels : {})) {
    if (!qualifiedNamePattern.test(label) || label.length > 317) add([...at, 'labels', label], `"${label}" is not a label key Kubernetes accepts`, 'use a qualified name such as preset-foo or example.com/foo');
    if (typeof value !== 'string' || !labelValuePattern.test(value) || value.length > 63) add([...at, 'labels', label], `the value ${JSON.stringify(value)} is not a label value Kubernetes accepts`, 'quote it, as "true", and keep it to 63 letters, digits, dashes, dots and underscores');
    if (label.startsWith('preset-') && !known.presets.includes(label)) {
      add([...at, 'labels', label], `preset "${label}" is not defined (there are: ${known.presets.join(', ')})`, 'use a preset an app offers, or offer it from the app the job needs');
    }
    const queue = known.externalPresets.get(label);
    if (queue === undefined) continue;
    if (job.max_concurrency !== 1) add([...at, 'max_concurrency'], `uses ${label}, whose external KubeVirtCI cluster holds one job at a time, but max_concurrency is ${job.max_concurrency ?? 'unset'}`, 'set max_concurrency: 1');
    if (job.job_queue_name !== queue) add([...at, 'job_queue_name'], `uses ${label}, so it must wait in queue "${queue}", not ${job.job_queue_name === undefined ? 'in none' : `"${job.job_queue_name}"`}: two different jobs must never share that cluster`, `set job_queue_name: ${queue}`);
  }
  const queues = new Set(known.externalPresets.values());
  if (job.job_queue_name !== undefined && !queues.has(job.job_queue_name)) add([...at, 'job_queue_name'], `"${job.job_queue_name}" is not a queue of plank.job_queue_capacities (there are: ${[...queues].join(', ') || 'none'})`, "drop it, or use the queue of the external cluster's preset");
  for (const key of ['run_if_changed', 'skip_if_only_changed', 'trigger'] as const) checkRegex(add, [...at, key], job[key]);
  for (const key of ['branches', 'skip_branches'] as const) {
    const list = job[key];
    if (list !== undefined && !Array.isArray(list)) add([...at, key], 'is not a list', 'write a list of branch names or regular expressions');
    else ((list as unknown[] | undefined) ?? []).forEach((b, i) => checkRegex(add, [...at, key, i], b));
  }
  if (job['run_if_changed'] !== undefined && job['skip_if_only_changed'] !== undefined) add(at, 'sets both run_if_changed and skip_if_only_changed; Prow refuses that', 'keep one of them');
  if (kind !== 'periodics' && job['always_run'] === true && (job['run_if_changed'] !== undefined || job['skip_if_only_changed'] !== undefined)) add([...at, 'always_run'], 'always_run with a changed-files condition; Prow refuses that', 'drop always_run or the condition');
  if (kind === 'presubmits' && (job['trigger'] === undefined) !== (job['rerun_command'] === undefined)) add(at, 'sets one of trigger and rerun_command; Prow needs both or neither (validateTriggering)', 'set both, or drop both and let Prow default them to /test <name>');
  const refs = job['extra_refs'];
  if (refs !== undefined && !Array.isArray(refs)) add([...at, 'extra_refs'], 'is not a list', 'write a list of {org, repo, base_ref}');
  ((Array.isArray(refs) ? refs : []) as unknown[]).forEach((r, i) => {
    for (const key of ['org', 'repo', 'base_ref']) {
      if (!isObject(r) || typeof r[key] !== 'string' || r[key] === '') add([...at, 'extra_refs', i, key], `extra_refs[${i}] has no ${key}`, `set ${key}`);
    }
  });
  const reporter = job['reporter_config'];
  if (reporter !== undefined && !isObject(reporter)) add([...at, 'reporter_config'], 'is not a mapping', 'write reporter_config as Prow documents it, such as slack: {channel: ...}');
}

/**
 * Everything wrong with the job config, as problems naming the file and line, the job and the
 * field. Prow refuses a config with any of these, or (a bad regex) stops loading it, as deck
 * once did in production; the topology's rules (build clusters, presets, queues) hold too.
 */
export function checkJobs(files: readonly JobFile[], known: Known): Problem[] {
  const problems: Problem[] = [];
  const presubmits = new Map<string, { job: Job; file: JobFile; at: YamlPath }[]>();
  const postsubmits = new Map<string, { job: Job; file: JobFile; at: YamlPath }[]>();
  const periodics = new Map<string, JobFile>();
  for (const f of files) {
    const adder = (job: unknown, anchor: YamlPath): Add => (path, message, fix) => {
      const line = f.lineOf(path) ?? f.lineOf(anchor);
      const name = isObject(job) && typeof job['name'] === 'string' ? job['name'] : `#${String(anchor[anchor.length - 1])}`;
      problems.push({ file: line === undefined ? f.source : `${f.source}:${line}`, object: `job "${name}"`, field: fieldOf(path), message, fix });
    };
    if (!isObject(f.config)) {
      problems.push({ file: f.source, object: `job file ${f.file}`, field: '(top level)', message: 'is not a mapping of presubmits, postsubmits and periodics', fix: "write it in Prow's job config format" });
      continue;
    }
    for (const kind of ['presubmits', 'postsubmits'] as const) {
      const byRepo = f.config[kind];
      if (byRepo === undefined) continue;
      if (!isObject(byRepo)) {
        adder(undefined, [kind])([kind], 'is not a mapping of org/repo to a list of jobs', 'key the jobs by org/repo');
        continue;
      }
      for (const [repo, list] of Object.entries(byRepo)) {
        if (!Array.isArray(list)) {
          adder(undefined, [kind, repo])([kind, repo], 'is not a list of jobs', 'write the jobs as a list');
          continue;
        }
        list.forEach((job: unknown, i) => {
          const at = [kind, repo, i];
          const add = adder(job, at);
          if (!isObject(job)) return add(at, 'is not a job (a mapping with a name)', 'write the job as a mapping');
          checkJob(job as Job, at, kind, known, add);
          const seen = (kind === 'presubmits' ? presubmits : postsubmits).get(repo) ?? [];
          for (const other of seen) {
            if (!branchesIntersect(other.job, job as Job)) continue;
            const where = other.file === f ? `line ${other.file.lineOf(other.at) ?? '?'}` : `${other.file.source}:${other.file.lineOf(other.at) ?? '?'}`;
            if (other.job.name === job['name']) add([...at, 'name'], `${kind.slice(0, -1)} "${String(job['name'])}" of ${repo} is declared again for the same branches (${where})`, 'give every job its own name, or disjoint branches');
            else if ((other.job['context'] ?? other.job.name) === (job['context'] ?? job['name'])) add([...at, 'context'], `reports to the GitHub context "${String(job['context'] ?? job['name'])}" as "${other.job.name}" does (${where}), on the same branches`, 'give it its own context');
          }
          (kind === 'presubmits' ? presubmits : postsubmits).set(repo, [...seen, { job: job as Job, file: f, at }]);
          if (kind === 'presubmits') {
            const refs = [repo, ...((Array.isArray(job['extra_refs']) ? job['extra_refs'] : []) as { org?: string; repo?: string }[]).map((r) => `${r?.org}/${r?.repo}`)];
            const dupes = refs.filter((r, k) => refs.indexOf(r) !== k);
            if (dupes.length > 0) add([...at, 'extra_refs'], `refers to ${[...new Set(dupes)].join(', ')} more than once (ValidateRefs)`, 'drop the repeated ref');
          }
        });
      }
    }
    const list = f.config.periodics;
    if (list !== undefined && !Array.isArray(list)) adder(undefined, ['periodics'])(['periodics'], 'is not a list of jobs', 'write the periodics as a list');
    ((Array.isArray(list) ? list : []) as unknown[]).forEach((job, i) => {
      const at = ['periodics', i];
      const add = adder(job, at);
      if (!isObject(job)) return add(at, 'is not a job (a mapping with a name)', 'write the job as a mapping');
      const j = job as Job & Periodic;
      checkJob(j, at, 'periodics', known, add);
      const other = periodics.get(j.name);
      if (other) add([...at, 'name'], `periodic "${j.name}" is also declared in ${other.source}`, 'give every periodic its own name');
      periodics.set(j.name, f);
      const schedules = (['cron', 'interval', 'minimal_interval'] as const).filter((k) => j[k] !== undefined);
      if (schedules.length !== 1) add(at, `a periodic needs exactly one of cron, interval and minimal_interval${schedules.length ? ` (it has ${schedules.join(' and ')})` : ''}`, 'keep one');
      const cron = typeof j.cron === 'string' ? cronError(j.cron) : j.cron === undefined ? undefined : `${JSON.stringify(j.cron)} is not a cron schedule`;
      if (cron) add([...at, 'cron'], cron, 'write five fields (minute hour day-of-month month day-of-week), such as "0 3 * * *"');
      for (const key of ['interval', 'minimal_interval'] as const) {
        const v = j[key];
        const err = v === undefined ? undefined : typeof v === 'string' ? goDurationError(v) : `${JSON.stringify(v)} is not a duration`;
        if (err) add([...at, key], err, 'write a Go duration such as 24h');
      }
    });
  }
  return problems;
}

