import { describe, expect, it } from 'vitest';
import { checkRemovedApis, parseManifests } from '../src/index.ts';

const obj = (apiVersion: string, kind: string) => parseManifests('f.yaml', `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x, namespace: ci}\n`).objects;

describe('checkRemovedApis', () => {
  it('reports an apiVersion the target Kubernetes no longer serves, and what to use', () => {
    expect(checkRemovedApis(obj('policy/v1beta1', 'PodDisruptionBudget'), '1.33').map((f) => [f.rule, f.path, f.message, f.fix])).toEqual([
      ['cross/removed-api', 'apiVersion', 'PodDisruptionBudget policy/v1beta1 was removed in Kubernetes 1.25; the target is 1.33', 'use policy/v1 (PodSecurityPolicy is gone: use Pod Security Admission)'],
    ]);
  });

  it('knows removals that differ by kind within one apiVersion', () => {
    expect(checkRemovedApis(obj('storage.k8s.io/v1beta1', 'CSIStorageCapacity'), '1.26')).toEqual([]);
    expect(checkRemovedApis(obj('storage.k8s.io/v1beta1', 'CSIStorageCapacity'), '1.27').map((f) => f.message)).toEqual(['CSIStorageCapacity storage.k8s.io/v1beta1 was removed in Kubernetes 1.27; the target is 1.27']);
    expect(checkRemovedApis(obj('storage.k8s.io/v1beta1', 'StorageClass'), '1.26').map((f) => f.message)).toEqual(['StorageClass storage.k8s.io/v1beta1 was removed in Kubernetes 1.22; the target is 1.26']);
  });

  it('lets served versions and older targets pass', () => {
    expect(checkRemovedApis(obj('policy/v1', 'PodDisruptionBudget'), '1.33')).toEqual([]);
    expect(checkRemovedApis(obj('batch/v1beta1', 'CronJob'), '1.24')).toEqual([]);
    expect(checkRemovedApis(obj('batch/v1beta1', 'CronJob'), 'v1.25.3')).toHaveLength(1);
  });
});
