import { describe, expect, it } from 'vitest';
import { formatJUnit, formatJson, formatText, type Report } from '../src/index.ts';

const report: Report = {
  files: ['b.yaml', 'a.yaml', 'ok.yaml'],
  objects: 4,
  notes: ['kubeconform: skipped, not installed (...)'],
  findings: [
    { rule: 'parse/duplicate-key', severity: 'error', file: 'b.yaml', line: 9, object: undefined, path: '', message: 'duplicate key "name"', fix: 'keep one' },
    { rule: 'kubeconform/invalid', severity: 'error', file: 'a.yaml', line: 3, object: { kind: 'Deployment', namespace: 'ci', name: 'deck' }, path: 'spec.replicas', message: 'got string, want integer', fix: 'match the schema' },
    { rule: 'parse/missing-type', severity: 'error', file: 'b.yaml', line: 1, object: { kind: 'X' }, path: 'apiVersion', message: 'apiVersion is missing', fix: 'set apiVersion' },
  ],
};

describe('reports', () => {
  it('as text, grouped by file in line order, with what to do', () => {
    expect(formatText(report)).toBe(
      [
        'kubeconform: skipped, not installed (...)',
        'a.yaml',
        '  3: error kubeconform/invalid Deployment ci/deck (spec.replicas): got string, want integer',
        '      fix: match the schema',
        'b.yaml',
        '  1: error parse/missing-type X (no name) (apiVersion): apiVersion is missing',
        '      fix: set apiVersion',
        '  9: error parse/duplicate-key: duplicate key "name"',
        '      fix: keep one',
        '3 errors, 0 warnings in 3 files (4 objects)',
        '',
      ].join('\n'),
    );
  });

  it('as JSON, with a summary', () => {
    const json = JSON.parse(formatJson(report)) as { findings: { file: string; line: number }[]; summary: unknown };
    expect(json.findings.map((f) => [f.file, f.line])).toEqual([
      ['a.yaml', 3],
      ['b.yaml', 1],
      ['b.yaml', 9],
    ]);
    expect(json.summary).toEqual({ errors: 3, warnings: 0, files: 3, objects: 4 });
  });

  it('as JUnit, one test case per file, failing files with one failure per finding', () => {
    expect(formatJUnit(report)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites tests="3" failures="2">',
        '  <testsuite name="kubevirt-ci validate" tests="3" failures="2">',
        '    <testcase classname="validate" name="b.yaml">',
        '      <failure type="parse/missing-type" message="1: apiVersion is missing">X (no name) apiVersion',
        'fix: set apiVersion</failure>',
        '      <failure type="parse/duplicate-key" message="9: duplicate key &quot;name&quot;"> ',
        'fix: keep one</failure>',
        '    </testcase>',
        '    <testcase classname="validate" name="a.yaml">',
        '      <failure type="kubeconform/invalid" message="3: got string, want integer">Deployment ci/deck spec.replicas',
        'fix: match the schema</failure>',
        '    </testcase>',
        '    <testcase classname="validate" name="ok.yaml"/>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });
});
