import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versions } from '@kubevirt-ci/topology';
import { promtoolErrors, validateFiles } from '@kubevirt-ci/validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePromtool, prometheusModuleVersion, promtool } from '../src/index.ts';

describe("promtool's source", () => {
  it('is the Go module of the Prometheus image we run', () => {
    expect([prometheusModuleVersion('quay.io/prometheus/prometheus:v3.14.0'), prometheusModuleVersion('quay.io/prometheus/prometheus:v3.5.2')]).toEqual(['v0.314.0', 'v0.305.2']);
    expect(promtool(versions).version).toBe(prometheusModuleVersion(versions.prometheus));
    expect(() => prometheusModuleVersion('quay.io/prometheus/prometheus:latest')).toThrow('the Prometheus image "quay.io/prometheus/prometheus:latest" is not tagged vX.Y.Z');
  });

  it("reads promtool's errors without the temporary file's name", () => {
    expect(promtoolErrors('  FAILED:\n/tmp/p/0.yaml: 5:11: group "a", rule 1, "X": could not parse expression: 1:5: parse error\n\n', '/tmp/p/0.yaml')).toEqual([
      'group "a", rule 1, "X": could not parse expression: 1:5: parse error',
    ]);
  });
});

describe('the pinned promtool, for real', () => {
  let bin: string;
  let dir: string;
  beforeAll(() => {
    const p = preparePromtool(versions, () => undefined);
    if (typeof p !== 'string') throw new Error(`promtool could not be prepared here: ${p.unavailable}`);
    bin = p;
    dir = mkdtempSync(join(tmpdir(), 'promtool-real-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const rule = (alert: string, expr: string, duration = '10m') =>
    `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r, namespace: monitoring}\nspec:\n  groups:\n    - name: g\n      rules:\n        - alert: ${alert}\n          expr: ${JSON.stringify(expr)}\n          for: ${duration}\n`;

  async function findings(yaml: string) {
    const file = join(dir, 'rule.yaml');
    writeFileSync(file, yaml);
    const report = await validateFiles(new Map([[file, yaml]]), { kubernetesVersion: versions.kubernetes, kubeconform: false, promtool: bin, provided: [{ kind: 'Namespace', name: 'monitoring' }] });
    return report.findings.filter((f) => f.rule === 'promtool/rules').map((f) => [f.line, f.path, f.message]);
  }

  it('accepts a rule the pinned Prometheus can load', async () => {
    expect(await findings(rule('Up', 'up == 0'))).toEqual([]);
  });

  it('refuses a rule it cannot load: a bad duration, an expression it cannot parse', async () => {
    expect(await findings(rule('Up', 'up == 0', '10 minutes'))).toEqual([[1, 'spec.groups', 'unknown unit " minutes" in duration "10 minutes"']]);
    const broken = await findings(rule('Up', 'rate(up[5m]'));
    expect(broken.map((f) => f[2])).toEqual([expect.stringMatching(/^group "g", rule 1, "Up": could not parse expression: /)]);
  });
});
