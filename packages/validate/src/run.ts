import { spawnSync } from 'node:child_process';
import type { Finding } from './finding.ts';
import { findKubeconform, kubeconformArgs, kubeconformMissing, parseKubeconformReport, type PreparedKubeconform } from './kubeconform.ts';
import { parseFiles, type ParsedObject } from './parse.ts';
import type { Report } from './report.ts';
import { checkSchemas, isSkippedKind, type SchemaOptions } from './schema.ts';
import { checkReferences, type CrossOptions } from './cross.ts';
import { checkPolicy } from './policy.ts';
import { checkObjects } from './objects.ts';
import { checkRemovedApis } from './apis.ts';
import { checkArgoGraph, type ArgoOptions } from './argocd.ts';
import { checkRulesWithPromtool, isPrometheusRule } from './promtool.ts';

/** The cluster a file belongs to ('.../manifests/<cluster>/...'), or '' when the input is one cluster. */
export function clusterOf(file: string): string {
  return /(?:^|\/)manifests\/([^/]+)\//.exec(file)?.[1] ?? '';
}

/** What a caller's check found, and one line for each thing it could not check. */
export interface CheckResult {
  readonly findings: readonly Finding[];
  readonly notes: readonly string[];
}

export interface ValidateOptions extends SchemaOptions, CrossOptions {
  /** The Kubernetes version to validate against, for example '1.33' (kubeconform wants x.y.z). */
  readonly kubernetesVersion: string;
  /**
   * kubeconform: false not to run it; a prepared binary with its offline schemas; or true
   * (the default) for one on $KUBECONFORM or PATH with its default schema locations.
   */
  readonly kubeconform?: boolean | PreparedKubeconform;
  /** Why kubeconform is not run, when the caller could not prepare it: one note instead. */
  readonly kubeconformUnavailable?: string;
  /** Checks of the caller's on the parsed objects (the upstream programs' flag parsers, say). */
  readonly checks?: readonly ((objects: readonly ParsedObject[]) => CheckResult | Promise<CheckResult>)[];
  /** promtool of the Prometheus we run, to check every PrometheusRule with; or why there is none. */
  readonly promtool?: string | { readonly unavailable: string };
  readonly env?: NodeJS.ProcessEnv;
  /** Check the Argo CD graph too: the files are this repository's rendered manifests. */
  readonly argocd?: ArgoOptions;
}

/**
 * Validates files already read from disk: every stage, one report. kubeconform reads the same
 * files from disk itself, so `files` must be real paths when it runs.
 */
export async function validateFiles(files: ReadonlyMap<string, string>, options: ValidateOptions): Promise<Report> {
  const parsed = parseFiles(files);
  const findings: Finding[] = [...parsed.findings];
  const objects = parsed.objects;
  findings.push(...(await checkSchemas(objects, options)));
  const clusters = new Map<string, ParsedObject[]>();
  for (const o of objects) {
    const cluster = clusterOf(o.file);
    const group = clusters.get(cluster) ?? [];
    group.push(o);
    clusters.set(cluster, group);
  }
  for (const [cluster, group] of clusters) {
    findings.push(...checkObjects(group, options), ...checkRemovedApis(group, options.kubernetesVersion), ...checkReferences(group, options, cluster), ...checkPolicy(group));
  }
  if (options.argocd) findings.push(...checkArgoGraph(objects, options.argocd));
  const notes: string[] = [];
  if (options.kubeconformUnavailable !== undefined) notes.push(`kubeconform: skipped: ${options.kubeconformUnavailable}`);
  else if (options.kubeconform !== false) {
    const prepared = typeof options.kubeconform === 'object' ? options.kubeconform : undefined;
    const bin = prepared?.bin ?? findKubeconform(options.env);
    if (!bin) notes.push(kubeconformMissing);
    else {
      const version = prepared?.kubernetesVersion ?? (/^\d+\.\d+$/.test(options.kubernetesVersion) ? `${options.kubernetesVersion}.0` : options.kubernetesVersion);
      const r = spawnSync(bin, kubeconformArgs([...files.keys()], version, prepared?.schemaLocations), { encoding: 'utf8', env: options.env ?? process.env, maxBuffer: 256 * 1024 * 1024 });
      if (r.error) notes.push(`kubeconform: could not run ${bin}: ${r.error.message}`);
      else {
        // A kind skipped on purpose has no schema for kubeconform either.
        const skipped = (f: Finding) => {
          const o = objects.find((x) => x.file === f.file && x.line === f.line);
          return f.rule === 'kubeconform/error' && isSkippedKind(o?.value ?? { kind: f.object?.kind }, options.skipKinds);
        };
        findings.push(...parseKubeconformReport(r.stdout, objects).filter((f) => !skipped(f)));
      }
    }
  }
  if (typeof options.promtool === 'string') {
    const checked = checkRulesWithPromtool(objects, options.promtool);
    findings.push(...checked.findings);
    notes.push(...checked.notes);
  } else if (options.promtool && objects.some(isPrometheusRule)) notes.push(`promtool: skipped: ${options.promtool.unavailable}`);
  for (const check of options.checks ?? []) {
    const r = await check(objects);
    findings.push(...r.findings);
    notes.push(...r.notes);
  }
  return { findings, files: [...files.keys()], objects: objects.length, notes };
}
