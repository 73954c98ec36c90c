/**
 * Stage: what the API server refuses of an object by itself, or of two with one name, found
 * without one (the admission stage finds the same with the real server, where it can run).
 * The rules are Kubernetes' own, from its validation at our pin (pkg/apis/core/validation,
 * pkg/apis/batch/validation, apimachinery's name validation).
 */
import { builtinClusterKinds, builtinGroups, cronError, get, groupKindKey, groupOf, isObj, podTemplatePaths, str, type Obj } from '@kubevirt-ci/kube/read';
import type { Finding, Rule, Severity } from './finding.ts';
import { refOf, type ParsedObject } from './parse.ts';

/** Every rule of this stage, by id after 'objects/'. */
export const objectRules: Readonly<Record<string, Rule>> = {
  duplicate: { severity: 'error', fix: 'keep one object of each kind, namespace and name' },
  name: { severity: 'error', fix: 'use lower-case letters, digits and dashes (and dots where the kind allows them)' },
  namespace: { severity: 'error', fix: 'set metadata.namespace' },
  schedule: { severity: 'error', fix: 'write five fields (minute hour day-of-month month day-of-week), such as "0 3 * * *", and the zone in spec.timeZone' },
  'restart-policy': { severity: 'error', fix: 'set the Job template restartPolicy to Never or OnFailure' },
  'container-names': { severity: 'error', fix: 'give every container and init container of the pod its own name' },
};

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const isLabel = (s: string) => s.length <= 63 && label.test(s);
const isSubdomain = (s: string) => s.length <= 253 && s.split('.').every(isLabel);
/** RBAC objects take any name that is a path segment (ValidateRBACName: path.IsValidPathSegmentName). */
const isPathSegment = (s: string) => s !== '' && s !== '.' && s !== '..' && !/[/%]/.test(s);
/** Kinds whose names are DNS labels, not subdomains (ValidateNamespaceName, ValidateServiceName). */
const labelNamed = new Set(['/Namespace', '/Service']);
const rbacNamed = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map((k) => `rbac.authorization.k8s.io/${k}`));

function nameError(group: string, kind: string, name: string): string | undefined {
  const key = `${group}/${kind}`;
  if (rbacNamed.has(key)) return isPathSegment(name) ? undefined : `"${name}" may not contain / or % (nor be . or ..)`;
  if (labelNamed.has(key)) return isLabel(name) ? undefined : `"${name}" is not a DNS label (at most 63 lower-case letters, digits and dashes)`;
  return isSubdomain(name) ? undefined : `"${name}" is not a DNS subdomain (lower-case letters, digits, dashes and dots, at most 253)`;
}

export interface ObjectOptions {
  /** The input is a whole cluster, each object as it is applied: a namespaced one needs its namespace. */
  readonly wholeCluster?: boolean;
}

export function checkObjects(objects: readonly ParsedObject[], options: ObjectOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const report = (o: ParsedObject, rule: string, path: string, message: string, severity = objectRules[rule]!.severity) =>
    findings.push({ rule: `objects/${rule}`, severity, file: o.file, line: o.line, object: refOf(o.value), path, message, fix: objectRules[rule]!.fix });
  // Custom kinds take their scope from a CRD in the same input, if there is one.
  const crdScopes = new Map<string, string>();
  for (const o of objects) {
    if (o.value['kind'] !== 'CustomResourceDefinition') continue;
    const group = str(get(o.value, 'spec', 'group'));
    const kind = str(get(o.value, 'spec', 'names', 'kind'));
    if (group && kind) crdScopes.set(`${group}/${kind}`, str(get(o.value, 'spec', 'scope')) ?? 'Namespaced');
  }
  const seen = new Map<string, ParsedObject>();
  for (const o of objects) {
    const r = refOf(o.value);
    const kind = r.kind ?? '';
    const group = groupOf(String(o.value['apiVersion'] ?? ''));
    const key = `${group}/${kind}/${r.namespace ?? ''}/${r.name ?? ''}`;
    const first = seen.get(key);
    if (first && r.name) report(o, 'duplicate', 'metadata.name', `${kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} is also declared in ${first.file}:${first.line}`);
    else seen.set(key, o);
    const nameErr = r.name === undefined ? undefined : nameError(group, kind, r.name);
    if (nameErr) report(o, 'name', 'metadata.name', nameErr);
    const namespaced = builtinGroups.has(group) ? !builtinClusterKinds.has(groupKindKey({ group, kind })) : crdScopes.has(`${group}/${kind}`) ? crdScopes.get(`${group}/${kind}`) === 'Namespaced' : undefined;
    // In a fragment, kubectl -n or an Argo CD destination gives it one.
    if (namespaced && r.namespace === undefined && options.wholeCluster) report(o, 'namespace', 'metadata.namespace', `${kind} is namespaced and names no namespace`);
    if (kind === 'CronJob') {
      const schedule = get(o.value, 'spec', 'schedule');
      const err = typeof schedule === 'string' ? cronError(schedule, 'kubernetes') : 'spec.schedule is missing';
      if (err) report(o, 'schedule', 'spec.schedule', err);
    }
    const jobPod = kind === 'Job' ? ['spec', 'template', 'spec'] : kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'spec'] : undefined;
    if (jobPod && group === 'batch') {
      const policy = get(o.value, ...jobPod, 'restartPolicy');
      if (policy !== 'Never' && policy !== 'OnFailure') report(o, 'restart-policy', `${jobPod.join('.')}.restartPolicy`, `a Job's pods must not restart in place (restartPolicy ${JSON.stringify(policy ?? 'Always')})`);
    }
    const path = podTemplatePaths[kind];
    const spec = path ? get(path.length ? get(o.value, ...path) : o.value, 'spec') : undefined;
    if (isObj(spec)) {
      const names = new Set<string>();
      for (const list of ['initContainers', 'containers']) {
        ((spec as Obj)[list] as unknown[] | undefined)?.filter(isObj).forEach((c, i) => {
          const n = str(c['name']);
          if (n === undefined) return;
          if (names.has(n)) report(o, 'container-names', `${[...path!, 'spec'].join('.')}.${list}[${i}].name`, `two containers of the pod are named "${n}"`);
          names.add(n);
        });
      }
    }
  }
  return findings;
}
