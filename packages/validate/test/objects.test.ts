import { describe, expect, it } from 'vitest';
import { checkObjects, parseManifests } from '../src/index.ts';

const run = (text: string, wholeCluster = true) => checkObjects(parseManifests('m.yaml', text).objects, { wholeCluster }).map((f) => [f.rule, f.severity, f.path, f.message]);
const cm = (name: string, ns = 'ci') => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${ns}}\n---\n`;
const job = (policy: string | undefined, containers = '[{name: a, image: x:1}]') =>
  `apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: ci}\nspec:\n  template:\n    spec:\n${policy ? `      restartPolicy: ${policy}\n` : ''}      containers: ${containers}\n---\n`;
const cronJob = (schedule: string) =>
  `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: ci}\nspec:\n  schedule: '${schedule}'\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: x:1}]}}}}\n---\n`;

describe('checkObjects', () => {
  it('passes what the API server takes', () => {
    const rbac = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: "system:monitoring"}\n---\n';
    expect(run(cm('a') + cm('a', 'other') + job('Never') + cronJob('0 3 * * *') + rbac)).toEqual([]);
  });

  it('reports a second object of one kind, namespace and name', () => {
    expect(run(cm('a') + cm('a'))).toEqual([['objects/duplicate', 'error', 'metadata.name', 'ConfigMap ci/a is also declared in m.yaml:1']]);
  });

  it('reports names the kind does not take', () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: a.b, namespace: ci}\n---\n';
    expect(run(cm('Deck_Config') + svc).map((f) => [f[0], f[3]])).toEqual([
      ['objects/name', '"Deck_Config" is not a DNS subdomain (lower-case letters, digits, dashes and dots, at most 253)'],
      ['objects/name', '"a.b" is not a DNS label (at most 63 lower-case letters, digits and dashes)'],
    ]);
  });

  it('reports a namespaced object without a namespace in a whole cluster, not in a fragment (kubectl -n gives it one)', () => {
    const bare = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ci}\n---\n';
    const widget = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.io}\nspec: {group: example.io, scope: Namespaced, names: {kind: Widget, plural: widgets}}\n---\napiVersion: example.io/v1\nkind: Widget\nmetadata: {name: w}\n---\n';
    expect(run(bare + widget).map((f) => [f[0], f[1]])).toEqual([['objects/namespace', 'error'], ['objects/namespace', 'error']]);
    expect(run(bare, false)).toEqual([]);
  });

  it("reports a CronJob schedule Kubernetes' cron parser refuses", () => {
    expect(run(cronJob('0 3 * *') + cronJob('TZ=UTC 0 3 * * *').replace('name: c,', 'name: d,')).map((f) => [f[0], f[3]])).toEqual([
      ['objects/schedule', `"0 3 * *" has 4 fields; a CronJob schedule takes exactly 5 (minute hour day-of-month month day-of-week)`],
      ['objects/schedule', '"TZ=UTC 0 3 * * *" names a time zone in the schedule; Kubernetes refuses that: set spec.timeZone'],
    ]);
  });

  it('reports a Job whose pods would restart in place, and two containers of one name', () => {
    expect(run(job('Always') + job(undefined).replace('name: j,', 'name: k,') + job('Never', '[{name: a, image: x:1}, {name: a, image: y:1}]').replace('name: j,', 'name: l,')).map((f) => [f[0], f[2]])).toEqual([
      ['objects/restart-policy', 'spec.template.spec.restartPolicy'],
      ['objects/restart-policy', 'spec.template.spec.restartPolicy'],
      ['objects/container-names', 'spec.template.spec.containers[1].name'],
    ]);
  });
});
