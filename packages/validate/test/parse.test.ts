import { describe, expect, it } from 'vitest';
import { checkSchemas, parseFiles, parseManifests } from '../src/index.ts';

const rules = (text: string, file = 'f.yaml') => parseManifests(file, text).findings.map((f) => [f.rule, f.line, f.path, f.message]);

describe('parseManifests', () => {
  it('reads every document of a multi-document file, with the line each starts on', () => {
    const r = parseManifests('f.yaml', '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# a comment\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n');
    expect(r.findings).toEqual([]);
    expect(r.objects.map((o) => [o.line, o.value['kind']])).toEqual([
      [2, 'ConfigMap'],
      [8, 'Service'],
    ]);
  });

  it('expands kind: List into its items, each at its own line', () => {
    const r = parseManifests('l.yaml', 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: b}\n');
    expect(r.objects.map((o) => [o.line, o.value['kind']])).toEqual([
      [4, 'ConfigMap'],
      [7, 'Secret'],
    ]);
  });

  it('reads JSON', () => {
    expect(parseManifests('f.json', '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}').objects.map((o) => o.value['kind'])).toEqual(['ConfigMap']);
  });

  it('reports invalid YAML at its line and goes on with the other documents', () => {
    const r = parseManifests('f.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n');
    // Line 3 is the unclosed flow mapping itself.
    expect(r.findings.map((f) => [f.rule, f.line])).toEqual([['parse/invalid-yaml', 3]]);
    expect(r.objects.map((o) => o.value['kind'])).toEqual(['Service']);
  });

  it('reports duplicate keys, in YAML and in JSON, naming the key', () => {
    expect(rules('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n')).toEqual([['parse/duplicate-key', 5, '', 'duplicate key "name"']]);
    expect(rules('{"apiVersion": "v1", "kind": "A", "kind": "B"}', 'f.json')).toEqual([['parse/duplicate-key', 1, '', 'duplicate key "kind"']]);
  });

  it('reports documents that are not objects', () => {
    expect(rules('- a\n- b\n---\njust text\n')).toEqual([
      ['parse/not-an-object', 1, '', 'the document is a list, not a Kubernetes object'],
      ['parse/not-an-object', 4, '', 'the document is a string, not a Kubernetes object'],
    ]);
  });

  it('reports a missing or non-string apiVersion or kind, naming the field and the object', () => {
    const r = parseManifests('f.yaml', 'kind: ConfigMap\nmetadata: {name: a, namespace: ci}\n---\napiVersion: v1\nkind: 3\nmetadata: {name: b}\n');
    expect(r.findings.map((f) => [f.rule, f.line, f.path, f.message, f.object])).toEqual([
      ['parse/missing-type', 1, 'apiVersion', 'apiVersion is missing', { kind: 'ConfigMap', namespace: 'ci', name: 'a' }],
      ['parse/missing-type', 4, 'kind', 'kind is not a string', { kind: undefined, namespace: undefined, name: 'b' }],
    ]);
    expect(r.objects).toEqual([]);
  });

  it('reads the same objects with the fast parser as with the exact one, dates staying strings', () => {
    const text = '# header\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {when: 2026-11-23, on: yes}\n--- # second\n\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n';
    const r = parseManifests('f.yaml', text);
    expect(r.objects.map((o) => [o.line, o.value])).toEqual([
      [2, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { when: '2026-11-23', on: 'yes' } }],
      [8, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }],
    ]);
  });

  it('takes a document marker that carries content to the exact parser', () => {
    expect(parseManifests('f.yaml', '--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n').objects.map((o) => [o.line, o.value['kind']])).toEqual([[1, 'ConfigMap']]);
  });

  it('skips empty documents and empty files without a finding', () => {
    expect(parseManifests('f.yaml', '')).toEqual({ objects: [], findings: [] });
    expect(parseManifests('f.yaml', '---\n---\n# only a comment\n')).toEqual({ objects: [], findings: [] });
  });
});

describe('parseFiles', () => {
  it('parses a text seen before once, and names each file in its own objects and findings', async () => {
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\nspec: {replicas: many, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web}]}}}\n---\nkind: ConfigMap\n';
    const r = parseFiles([['one/web.yaml', text], ['two/web.yaml', text], ['other.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n']]);
    expect(r.objects.map((o) => [o.file, o.line, o.value['kind']])).toEqual([
      ['one/web.yaml', 1, 'Deployment'],
      ['two/web.yaml', 1, 'Deployment'],
      ['other.yaml', 1, 'ConfigMap'],
    ]);
    expect(r.objects[0]!.value).toBe(r.objects[1]!.value);
    expect(r.findings.map((f) => [f.file, f.line, f.rule])).toEqual([
      ['one/web.yaml', 6, 'parse/missing-type'],
      ['two/web.yaml', 6, 'parse/missing-type'],
    ]);
    // The schema stage judges the shared value once and reports it for each file.
    const schema = await checkSchemas(r.objects);
    expect(schema.map((f) => [f.file, f.line, f.rule, f.path])).toEqual([
      ['one/web.yaml', 1, 'schema/invalid', 'spec.replicas'],
      ['two/web.yaml', 1, 'schema/invalid', 'spec.replicas'],
    ]);
  });
});
