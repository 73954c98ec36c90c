import { readFileSync } from 'node:fs';
import type { Problem } from '@kubevirt-ci/topology';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { yamlOptionsFor } from '../yaml.ts';
import type { LabelsConfig } from './types.ts';

/**
 * KubeVirt's Prow policy: how repositories merge, report, label and are protected, kept in
 * Prow's own file formats under src/config/policy/, so the people who maintain production's
 * config.yaml and plugins.yaml edit the same YAML here. Everything about where things run
 * comes from the topology (build.ts) and is laid over it; a key set in both is a problem.
 */

export type PolicyFile = 'config.yaml' | 'plugins.yaml' | 'labels.yaml';

export const policyPath = (file: PolicyFile) => `apps/prow/src/config/policy/${file}`;

type Tree = Record<string, unknown>;

export const policyText = (file: PolicyFile) => readFileSync(new URL(`./policy/${file}`, import.meta.url), 'utf8');

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

const strings = z.array(z.string());

/**
 * The shape of what the checks read (check.ts); anything else is carried to Prow as written,
 * and Prow's own loader judges it.
 */
const shapes: Record<PolicyFile, z.ZodType> = {
  'config.yaml': z.looseObject({
    tide: z.looseObject({ queries: z.array(z.looseObject({ repos: strings.optional(), orgs: strings.optional(), labels: strings.optional(), missingLabels: strings.optional() })).optional() }).optional(),
    deck: z.looseObject({ spyglass: z.looseObject({ lenses: z.array(z.looseObject({ lens: z.looseObject({ name: z.string() }), required_files: strings, optional_files: strings.optional() })).optional() }).optional() }).optional(),
  }),
  'plugins.yaml': z.looseObject({ plugins: z.record(z.string(), z.looseObject({ plugins: strings })).optional() }),
  'labels.yaml': z.looseObject({
    default: z.looseObject({ labels: z.array(z.looseObject({ name: z.string(), color: z.string() })) }),
    repos: z.record(z.string(), z.looseObject({ labels: z.array(z.looseObject({ name: z.string(), color: z.string() })) })).optional(),
  }),
};

/** A policy file as parsed, or the problems that stop it being read (syntax, not a mapping). */
export function readPolicy(file: PolicyFile, text = policyText(file)): { value: Tree; problems: Problem[] } {
  const doc = parseDocument(text, { ...yamlOptionsFor(file), prettyErrors: false });
  const problems: Problem[] = doc.errors.map((e) => ({
    file: policyPath(file),
    object: file,
    field: `line ${e.linePos?.[0]?.line ?? text.slice(0, e.pos[0]).split('\n').length}`,
    message: e.message.split('\n')[0]!,
    fix: 'correct the YAML at that line',
  }));
  const value: unknown = problems.length ? {} : doc.toJS({ maxAliasCount: yamlOptionsFor(file).maxAliasCount });
  if (problems.length === 0 && !isTree(value)) {
    problems.push({ file: policyPath(file), object: file, field: '(top level)', message: 'is not a mapping', fix: `write ${file} in Prow's format: a mapping of its top-level keys` });
  } else if (problems.length === 0) {
    const shape = shapes[file].safeParse(value);
    for (const issue of shape.success ? [] : shape.error.issues) {
      problems.push({ file: policyPath(file), object: file, field: issue.path.map(String).join('.') || '(top level)', message: issue.message, fix: "write it as Prow's documented config has it" });
    }
  }
  return { value: isTree(value) ? value : {}, problems };
}

/**
 * `derived` with `policy` laid over it, maps merged key by key. A value both set is a
 * problem naming the policy file and the key: the topology's value is the one kept.
 */
export function overlay<T extends object>(file: PolicyFile, derived: T, policy: Tree): { value: T; problems: Problem[] } {
  const problems: Problem[] = [];
  const merge = (base: Tree, over: Tree, path: string[]): Tree => {
    const out: Tree = { ...base };
    for (const [k, v] of Object.entries(over)) {
      const at = [...path, k];
      if (!(k in base)) out[k] = v;
      else if (isTree(base[k]) && isTree(v)) out[k] = merge(base[k] as Tree, v, at);
      else
        problems.push({
          file: policyPath(file),
          object: file,
          field: at.join('.'),
          message: 'is set from the topology already (hosts, buckets, namespaces, images, presets and plugin endpoints are derived there)',
          fix: `remove ${at.join('.')} from ${policyPath(file)}; change the topology or the component record instead`,
        });
    }
    return out;
  };
  return { value: merge(derived as Tree, policy, []) as T, problems };
}

/**
 * labels.yaml: production's label definitions, handed to label_sync as the file's own text, so
 * nothing is re-serialised; `value` is what the checks read.
 */
export function labelsPolicy(text = policyText('labels.yaml')): { text: string; value: LabelsConfig; problems: Problem[] } {
  const { value, problems } = readPolicy('labels.yaml', text);
  return { text, value: value as unknown as LabelsConfig, problems };
}

/**
 * The plugin that puts each blocking label on a pull request, by the names in Prow's source at
 * versions.prow.commit (pkg/labels/labels.go; dcoNoLabel in pkg/plugins/dco/dco.go,
 * invalidCommitMsgLabel in pkg/plugins/invalidcommitmsg/invalidcommitmsg.go; needs-rebase is
 * the external plugin of that name). A tide query that waits for such a label to be absent
 * merges everything when its plugin does not run there.
 */
export const labelSetBy: Readonly<Record<string, string>> = {
  'dco-signoff: no': 'dco',
  'do-not-merge/release-note-label-needed': 'release-note',
  'do-not-merge/invalid-commit-message': 'invalidcommitmsg',
  'do-not-merge/hold': 'hold',
  'do-not-merge/work-in-progress': 'wip',
  'do-not-merge/invalid-owners-file': 'verify-owners',
  'needs-rebase': 'needs-rebase',
};
