import { describe, expect, it } from 'vitest';
import { checkSchemas, coreTypeOf, modelFor, parseManifests, unknownFields } from '../src/index.ts';

const check = async (text: string, skipKinds?: Record<string, string>) =>
  (await checkSchemas(parseManifests('f.yaml', text).objects, { skipKinds })).map((f) => [f.rule, f.line, f.path, f.message]);

const deployment = (extra = '') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: deck, namespace: ci}\nspec:\n  selector: {matchLabels: {app: deck}}\n  template:\n    metadata: {labels: {app: deck}}\n    spec:\n      containers:\n        - name: deck\n          image: deck:v1\n${extra}`;

describe('checkSchemas', () => {
  it('passes a valid built-in object and a valid custom resource', async () => {
    expect(await check(deployment())).toEqual([]);
    expect(await check('apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c, namespace: ci}\nspec: {secretName: c, issuerRef: {name: letsencrypt}}\n')).toEqual([]);
  });

  it('reports values of the wrong type and missing required fields, by field', async () => {
    expect(await check(deployment('          ports: [{containerPort: "8080"}]\n'))).toEqual([
      ['schema/invalid', 1, 'spec.template.spec.containers[0].ports[0].containerPort', 'must be integer'],
    ]);
    expect(await check('apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: p}\nspec: {sourceRepos: "*"}\n')).toEqual([
      ['schema/invalid', 1, 'spec.sourceRepos', 'must be array'],
    ]);
  });

  it('reports unknown fields, which the models let pass, at any depth', async () => {
    expect(await check(deployment('          imagePullPolice: Always\n          env: [{name: A, valu: b}]\n'))).toEqual([
      ['schema/unknown-field', 1, 'spec.template.spec.containers[0].imagePullPolice', 'Deployment has no field "imagePullPolice" here'],
      ['schema/unknown-field', 1, 'spec.template.spec.containers[0].env[0].valu', 'Deployment has no field "valu" here'],
    ]);
  });

  it('reports unknown fields in our custom resources too', async () => {
    const app = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a, namespace: argocd}\nspec:\n  project: p\n  destination: {name: in-cluster, namespace: x}\n  source: {repoURL: r, path: p, directry: {recurse: false}}\n';
    expect(await check(app)).toEqual([['schema/unknown-field', 1, 'spec.source.directry', 'Application has no field "directry" here']]);
    const sm = 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: s, namespace: m, labels: {any: thing}}\nspec:\n  selector: {matchLabels: {app: crier}}\n  endpoints: [{port: metrics, intervall: 30s}]\n';
    expect(await check(sm)).toEqual([['schema/unknown-field', 1, 'spec.endpoints[0].intervall', 'ServiceMonitor has no field "intervall" here']]);
  });

  it('reports a kind with no schema, unless it is skipped on purpose', async () => {
    const widget = 'apiVersion: example.io/v1\nkind: Widget\nmetadata: {name: w}\n';
    expect(await check(widget)).toEqual([['schema/unknown-kind', 1, 'kind', 'no schema is known for Widget in example.io/v1']]);
    expect(await check(widget, { 'example.io/Widget': 'ours, no schema yet' })).toEqual([]);
    expect(await check('apiVersion: apps/v1\nkind: Deploymint\nmetadata: {name: d}\n')).toEqual([['schema/unknown-kind', 1, 'kind', 'no schema is known for Deploymint in apps/v1']]);
  });

  it('judges a custom resource by the CRD in the same input: types, required fields, and fields the schema does not name', async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.io}
spec:
  group: example.io
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 1}
                color: {type: string, enum: [red, blue]}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
                labels: {type: object, additionalProperties: {type: string}}
---
`;
    const widget = (spec: string) => `apiVersion: example.io/v1\nkind: Widget\nmetadata: {name: w, namespace: ci}\nspec: ${spec}\n---\n`;
    expect(await check(crd + widget('{size: 2, color: red, extra: {anything: 1}, labels: {a: b}}'))).toEqual([]);
    expect((await check(crd + widget('{size: 0, color: green, sise: 3}'))).map((f) => [f[0], f[2], f[3]])).toEqual([
      ['schema/invalid', 'spec.size', 'must be >= 1'],
      ['schema/invalid', 'spec.color', 'must be equal to one of the allowed values'],
      ['schema/unknown-field', 'spec.sise', 'Widget has no field "sise" here'],
    ]);
    expect((await check(crd + widget('{color: red}'))).map((f) => [f[0], f[2], f[3]])).toEqual([['schema/invalid', 'spec', "must have required property 'size'"]]);
    // Without its CRD the kind is unknown, as before.
    expect((await check(widget('{size: 2}'))).map((f) => f[0])).toEqual(['schema/unknown-kind']);
  });

  it('never turns apiVersion or kind into a path outside the schema packages', async () => {
    expect(await modelFor('../../../etc/v1', 'Passwd')).toBeUndefined();
    expect(await modelFor('v1', '../index')).toBeUndefined();
    expect(await modelFor('apps/v1', 'Deployment')).toBeTypeOf('function');
  });
});

describe('core types', () => {
  it("name client-node's type for built-in kinds, and none for custom ones", () => {
    expect([coreTypeOf('apps/v1', 'Deployment'), coreTypeOf('v1', 'Event'), coreTypeOf('autoscaling/v2', 'HorizontalPodAutoscaler'), coreTypeOf('argoproj.io/v1alpha1', 'Application')]).toEqual([
      'V1Deployment',
      'CoreV1Event',
      'V2HorizontalPodAutoscaler',
      undefined,
    ]);
  });

  it('find unknown fields through maps and arrays', () => {
    expect(unknownFields({ metadata: { labels: { any: 'thing' }, lable: 1 }, data: { k: 'v' }, extra: true }, 'V1ConfigMap')).toEqual(['metadata.lable', 'extra']);
  });
});
