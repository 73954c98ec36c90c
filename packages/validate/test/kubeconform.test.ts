import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crdSchemaLocation, findKubeconform, leafErrors, kubeconformArgs, kubeconformMissing, parseKubeconformReport, parseManifests, pointerToPath, validateFiles } from '../src/index.ts';

const sample = (name: string) => readFileSync(join(import.meta.dirname, 'samples', name), 'utf8');
const deck = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: deck\n  namespace: kubevirt-prow\nspec:\n  replicas: "3"\n---\napiVersion: example.io/v1\nkind: Widget\nmetadata: {name: main}\n';
const objects = parseManifests('manifests/deck.yaml', deck).objects;

const tmp = mkdtempSync(join(tmpdir(), 'kubeconform-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fakeKubeconform(dir: string, output: string): string {
  mkdirSync(dir, { recursive: true });
  const bin = join(dir, 'kubeconform');
  writeFileSync(join(dir, 'out.json'), output);
  writeFileSync(bin, `#!/bin/sh\necho "$@" > "${dir}/args"\n/bin/cat "${dir}/out.json"\nexit 1\n`);
  chmodSync(bin, 0o755);
  return bin;
}

describe("kubeconform's JSON report", () => {
  it('becomes one finding per validation error, at the line of the object it names', () => {
    expect(parseKubeconformReport(sample('invalid.json'), objects)).toEqual([
      {
        rule: 'kubeconform/invalid',
        severity: 'error',
        file: 'manifests/deck.yaml',
        line: 5,
        object: { kind: 'Deployment', namespace: 'kubevirt-prow', name: 'deck' },
        path: 'spec.replicas',
        message: 'got string, want integer',
        fix: 'make the field match the schema of its kind',
      },
      {
        rule: 'kubeconform/invalid',
        severity: 'error',
        file: 'manifests/deck.yaml',
        line: 5,
        object: { kind: 'Deployment', namespace: 'kubevirt-prow', name: 'deck' },
        path: 'spec.template.spec.containers[0]',
        message: "additional properties 'imagePullPolice' not allowed",
        fix: 'make the field match the schema of its kind',
      },
      {
        rule: 'kubeconform/error',
        severity: 'error',
        file: 'manifests/deck.yaml',
        line: 13,
        object: { kind: 'Widget', namespace: undefined, name: 'main' },
        path: '',
        message: 'could not find schema for Widget',
        fix: 'make a schema available (see the schema locations) or fix the document',
      },
    ]);
  });

  it('has no findings when everything is valid', () => {
    expect(parseKubeconformReport(sample('valid.json'), objects)).toEqual([]);
  });

  it('reads the older report format too (upper-case status, no name, no validationErrors)', () => {
    expect(parseKubeconformReport(sample('legacy-invalid.json'), objects).map((f) => [f.rule, f.line, f.path, f.message])).toEqual([
      ['kubeconform/invalid', 0, '', 'Additional property templates is not allowed'],
    ]);
  });

  it('says so when the output is not JSON', () => {
    expect(parseKubeconformReport('flag provided but not defined: -strict\n', objects).map((f) => [f.rule, f.message])).toEqual([
      ['kubeconform/unreadable', "kubeconform's output is not JSON: flag provided but not defined: -strict"],
    ]);
  });

  it('turns JSON pointers into field paths', () => {
    expect(pointerToPath('/spec/template/spec/containers/0/image')).toBe('spec.template.spec.containers[0].image');
    expect(pointerToPath('/metadata/annotations/argocd.argoproj.io~1sync-wave')).toBe('metadata.annotations.argocd.argoproj.io/sync-wave');
    expect(pointerToPath('')).toBe('');
  });
});

describe('running kubeconform', () => {
  it('is strict, writes JSON, and knows the default and the CRD schemas', () => {
    expect(kubeconformArgs(['a.yaml'], '1.33.0')).toEqual(['-strict', '-summary', '-output', 'json', '-kubernetes-version', '1.33.0', '-schema-location', 'default', '-schema-location', crdSchemaLocation, 'a.yaml']);
  });

  it('is found through $KUBECONFORM or PATH, and only when executable', () => {
    const bin = fakeKubeconform(join(tmp, 'find'), '{}');
    expect(findKubeconform({ PATH: `/nonexistent:${join(tmp, 'find')}` })).toBe(bin);
    expect(findKubeconform({ KUBECONFORM: bin, PATH: '' })).toBe(bin);
    expect(findKubeconform({ KUBECONFORM: join(tmp, 'find', 'out.json'), PATH: join(tmp, 'find') })).toBeUndefined();
    expect(findKubeconform({ PATH: '/nonexistent' })).toBeUndefined();
  });

  it('merges its findings with ours in one report', async () => {
    const dir = join(tmp, 'run');
    fakeKubeconform(dir, sample('invalid.json'));
    const report = await validateFiles(new Map([['manifests/deck.yaml', deck], ['manifests/bad.yaml', 'kind: X\n']]), { kubernetesVersion: '1.33', env: { PATH: dir }, skipKinds: { 'example.io/Widget': 'test kind' }, provided: [{ kind: 'Namespace', name: 'kubevirt-prow' }] });
    expect(report.notes).toEqual([]);
    expect(report.findings.map((f) => [f.rule, f.file, f.line, f.path, f.message])).toEqual([
      ['parse/missing-type', 'manifests/bad.yaml', 1, 'apiVersion', 'apiVersion is missing'],
      ['schema/invalid', 'manifests/deck.yaml', 5, 'spec', 'must have required property selector'],
      ['schema/invalid', 'manifests/deck.yaml', 5, 'spec', 'must have required property template'],
      ['schema/invalid', 'manifests/deck.yaml', 5, 'spec.replicas', 'must be integer'],
      ['kubeconform/invalid', 'manifests/deck.yaml', 5, 'spec.replicas', 'got string, want integer'],
      ['kubeconform/invalid', 'manifests/deck.yaml', 5, 'spec.template.spec.containers[0]', "additional properties 'imagePullPolice' not allowed"],
      // Widget is skipped on purpose, so kubeconform's "no schema" for it is no finding either.
    ]);
    expect(readFileSync(join(dir, 'args'), 'utf8').trim().split(' ').slice(0, 6)).toEqual(['-strict', '-summary', '-output', 'json', '-kubernetes-version', '1.33.0']);
  });

  it('keeps "no schema" for a kind nobody skipped', async () => {
    const dir = join(tmp, 'unskipped');
    fakeKubeconform(dir, sample('invalid.json'));
    const report = await validateFiles(new Map([['manifests/deck.yaml', deck]]), { kubernetesVersion: '1.33', env: { PATH: dir }, kubeconform: true });
    expect(report.findings.filter((f) => f.rule === 'kubeconform/error').map((f) => [f.line, f.message])).toEqual([[13, 'could not find schema for Widget']]);
  });

  it('runs a prepared binary with its own schema locations and Kubernetes version', async () => {
    const dir = join(tmp, 'prepared');
    const bin = fakeKubeconform(dir, sample('valid.json'));
    await validateFiles(new Map([['a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n']]), { kubernetesVersion: '1.33', env: { PATH: '/nonexistent' }, kubeconform: { bin, schemaLocations: ['/schemas/{{ .ResourceKind }}.json'], kubernetesVersion: '1.33.13' } });
    expect(readFileSync(join(dir, 'args'), 'utf8').trim()).toBe('-strict -summary -output json -kubernetes-version 1.33.13 -schema-location /schemas/{{ .ResourceKind }}.json a.yaml');
  });

  it('reads the innermost errors from the message when the top level only says a combinator failed', () => {
    expect(leafErrors("jsonschema validation failed with 'x#' - at '/spec': allOf failed   - at '/spec/replicas': got string, want integer     - at '/spec/template': allOf failed")).toEqual([{ path: '/spec/replicas', msg: 'got string, want integer' }]);
  });

  it('says in one line that it was skipped, and how to install it, when it is not there', async () => {
    const report = await validateFiles(new Map([['a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n']]), { kubernetesVersion: '1.33', env: { PATH: '/nonexistent' } });
    expect(report.notes).toEqual([kubeconformMissing]);
    expect(kubeconformMissing).toMatch(/^kubeconform: skipped, not installed \(.*go install github\.com\/yannh\/kubeconform\/cmd\/kubeconform@v0\.7\.0/);
    expect(report.findings).toEqual([]);
  });
});
