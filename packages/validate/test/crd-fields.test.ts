import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateCoreFields } from '../src/core-fields.ts';
import { generateCrdFields } from '../src/crd-fields.ts';

describe('the generated field lists of our custom resources', () => {
  const committed = JSON.parse(readFileSync(new URL('../src/generated/crd-fields.json', import.meta.url), 'utf8')) as unknown;

  it('are what the installed @kubernetes-models types say (run `pnpm --filter @kubevirt-ci/validate generate` when not)', () => {
    expect(committed).toEqual(generateCrdFields());
  });

  it('cover every custom kind we render or use', () => {
    const kinds = Object.keys((committed as { kinds: object }).kinds);
    for (const k of ['argoproj.io/v1alpha1/Application', 'argoproj.io/v1alpha1/AppProject', 'cert-manager.io/v1/Certificate', 'cert-manager.io/v1/ClusterIssuer', 'monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/Prometheus', 'monitoring.coreos.com/v1/PrometheusRule']) {
      expect(kinds).toContain(k);
    }
  });
});

describe('the generated field lists of the built-in kinds', () => {
  const committed = JSON.parse(readFileSync(new URL('../src/generated/core-fields.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;

  it('are what the installed @kubernetes/client-node says (run `pnpm --filter @kubevirt-ci/validate generate` when not)', () => {
    expect(committed).toEqual(generateCoreFields());
  });

  it('name the fields of a Deployment and of a container as the API does', () => {
    expect(Object.keys(committed['V1Deployment']!)).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(committed['V1Container']!['readinessProbe']).toBe('V1Probe');
    expect(committed['V1PodSpec']!['containers']).toBe('Array<V1Container>');
  });
});
