import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Finding } from './finding.ts';
import type { ParsedObject } from './parse.ts';
import { refOf } from './parse.ts';

/** The kubeconform release the GitHub workflow installs. */
export const kubeconformVersion = 'v0.7.0';

/** Where kubeconform finds the schemas of custom resources (one per group, kind and version). */
export const crdSchemaLocation = 'https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json';

/** A kubeconform made ready by the caller: its binary, offline schema locations and the version they resolve. */
export interface PreparedKubeconform {
  readonly bin: string;
  readonly schemaLocations: readonly string[];
  /** x.y.z, as its -kubernetes-version takes it. */
  readonly kubernetesVersion: string;
}

/** The kubeconform binary: $KUBECONFORM when set, else the first on PATH; undefined when there is none. */
export function findKubeconform(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const executable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (env['KUBECONFORM']) return executable(env['KUBECONFORM']) ? env['KUBECONFORM'] : undefined;
  return (env['PATH'] ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'kubeconform')).find(executable);
}

export const kubeconformMissing = `kubeconform: skipped, not installed (put kubeconform ${kubeconformVersion} on PATH or set KUBECONFORM=/path/to/kubeconform; CI installs it with 'go install github.com/yannh/kubeconform/cmd/kubeconform@${kubeconformVersion}')`;

/** kubeconform's arguments: strict, JSON out, the default schemas plus the CRD catalogue. */
export function kubeconformArgs(files: readonly string[], kubernetesVersion: string, schemaLocations: readonly string[] = ['default', crdSchemaLocation]): string[] {
  return ['-strict', '-summary', '-output', 'json', '-kubernetes-version', kubernetesVersion, ...schemaLocations.flatMap((l) => ['-schema-location', l]), ...files];
}

interface KubeconformResource {
  filename?: string;
  kind?: string;
  name?: string;
  version?: string;
  status?: string;
  msg?: string;
  validationErrors?: { path?: string; msg?: string }[];
}

/** '/spec/template/spec/containers/0/image' -> 'spec.template.spec.containers[0].image'. */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/**
 * The innermost errors of a kubeconform message: its validationErrors name only the top
 * level ("at '/spec': allOf failed"); the message holds the whole chain, each step
 * " - at '<pointer>': <what>". A step that only says a combinator failed is not a leaf.
 */
export function leafErrors(msg: string): { path: string; msg: string }[] {
  const steps = [...msg.matchAll(/- at '([^']*)': (.*?)(?=\s+- at '|$)/g)].map((m) => ({ path: m[1]!, msg: m[2]!.trim() }));
  return steps.filter((s) => !combinatorFailed.test(s.msg));
}

const combinatorFailed = /^(allOf|anyOf|oneOf|validation|\$ref) failed$/;

/**
 * Reads kubeconform's `-output json` report into findings. kubeconform names an object by
 * file, kind and name; the line comes from our own parse of the same file.
 */
export function parseKubeconformReport(stdout: string, objects: readonly ParsedObject[]): Finding[] {
  let report: { resources?: KubeconformResource[] };
  try {
    report = JSON.parse(stdout) as { resources?: KubeconformResource[] };
  } catch {
    const first = stdout.split('\n').find((l) => l.trim()) ?? '(no output)';
    return [{ rule: 'kubeconform/unreadable', severity: 'error', file: '', line: 0, object: undefined, path: '', message: `kubeconform's output is not JSON: ${first}`, fix: `run kubeconform ${kubeconformVersion}, which writes -output json` }];
  }
  const findings: Finding[] = [];
  for (const r of report.resources ?? []) {
    const status = (r.status ?? '').replace(/^status/i, '').toLowerCase();
    if (status !== 'invalid' && status !== 'error') continue;
    const file = r.filename ?? '';
    const match = objects.find((o) => o.file === file && refOf(o.value).kind === r.kind && refOf(o.value).name === r.name);
    const object = match ? refOf(match.value) : { kind: r.kind, name: r.name };
    const base = { severity: 'error' as const, file, line: match?.line ?? 0, object };
    if (status === 'error' && /^error unmarshalling resource/.test(r.msg ?? '')) {
      findings.push({ ...base, rule: 'kubeconform/unreadable-object', path: '', message: r.msg!, fix: 'fix the document: kubeconform reads it strictly, as the API server does (no duplicate keys)' });
      continue;
    }
    if (status === 'error') {
      findings.push({ ...base, rule: 'kubeconform/error', path: '', message: r.msg ?? 'kubeconform could not validate the object', fix: 'make a schema available (see the schema locations) or fix the document' });
      continue;
    }
    // Its validationErrors are the top level; where they only say a combinator failed, the leaves are in msg.
    const top = (r.validationErrors ?? []).filter((e) => !combinatorFailed.test(e.msg ?? ''));
    const leaves = leafErrors(r.msg ?? '');
    const errors = top.length ? top : leaves.length ? leaves : r.validationErrors?.length ? r.validationErrors : [{ path: '', msg: r.msg }];
    for (const e of errors) {
      findings.push({ ...base, rule: 'kubeconform/invalid', path: pointerToPath(e.path ?? ''), message: e.msg ?? r.msg ?? 'invalid', fix: 'make the field match the schema of its kind' });
    }
  }
  return findings;
}
