import { labelSetBy, policyPath } from './policy.ts';
import { hookPlugins } from './registered.ts';
import type { Problem } from '@kubevirt-ci/topology';
import { RE2JS } from 're2js';
import type { Label, LabelsConfig, PluginsConfig, ProwConfig } from './types.ts';

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
  // Production's jobs repeat a few branch and run_if_changed patterns some thousand times.
  if (!regexErrors.has(pattern)) {
    try {
      RE2JS.compile(pattern);
      regexErrors.set(pattern, undefined);
    } catch (err) {
      regexErrors.set(pattern, (err as Error).message);
    }
  }
  return regexErrors.get(pattern);
}

const regexErrors = new Map<string, string | undefined>();

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
