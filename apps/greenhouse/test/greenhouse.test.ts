import { render } from '@kubevirt-ci/synth';
import { clusterSpec, jobsNamespaceApp, objectsOf, problemsFrom } from '@kubevirt-ci/synth/testing';
import { defineRole, defineTopology, enable } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { app, cacheService, evictionFlags, maxFloorPercent } from '../src/index.ts';

type Values = Parameters<typeof enable<typeof app.values>>[1];

function renderWith(values?: Values) {
  const role = defineRole({ role: 'builds', description: 'b', hub: true, apps: [enable(jobsNamespaceApp), enable(app, values)], clusters: [clusterSpec('builds-1')] });
  return render(defineTopology({ apps: [jobsNamespaceApp, app], roles: [role] }));
}

const byKind = (objects: readonly { kind: string }[], kind: string) => objects.filter((o) => o.kind === kind);
const free = { floorPercent: 30, minimum: '20Gi', evictionStepPercent: 5 };

describe('greenhouse eviction flags', () => {
  it('keep the configured share free on a large volume', () => {
    expect(evictionFlags('700Gi', free)).toEqual({ minPercentBlocksFree: 30, evictUntilPercentBlocksFree: 35 });
    expect(evictionFlags('1400Gi', free)).toEqual({ minPercentBlocksFree: 30, evictUntilPercentBlocksFree: 35 });
  });

  it('raise the floor on a small volume so the absolute minimum stays free', () => {
    // 20Gi of 66Gi is 30.3 %, so the floor rounds up to 31.
    expect(evictionFlags('66Gi', free)).toEqual({ minPercentBlocksFree: 31, evictUntilPercentBlocksFree: 36 });
    // 20Gi of 40Gi is exactly 50 %.
    expect(evictionFlags('40Gi', free)).toEqual({ minPercentBlocksFree: 50, evictUntilPercentBlocksFree: 55 });
  });

  it(`accept a floor of exactly ${maxFloorPercent}% and refuse a volume that would need more`, () => {
    expect(evictionFlags('25Gi', free)).toEqual({ minPercentBlocksFree: 80, evictUntilPercentBlocksFree: 85 });
    expect(() => evictionFlags('24Gi', free)).toThrow(
      'a 24Gi volume is too small for the bazel cache: keeping 20Gi free is 84% of it, above 80%; give greenhouse a volume of at least 25Gi or lower freeSpace.minimum',
    );
  });
});

describe('the greenhouse app', () => {
  it('runs on the cache node with flags derived from its claim', () => {
    const objects = objectsOf(renderWith({ storage: { type: 'claim', size: '700Gi', storageClassName: 'ibmc-block-gold' } }), 'builds-1', 'greenhouse');
    const deploy = byKind(objects, 'Deployment')[0] as any;
    const pod = deploy.spec.template.spec;
    expect(pod.containers[0].args).toEqual(['--dir=/data', '--cache-port=8080', '--metrics-port=9090', '--min-percent-blocks-free=30', '--evict-until-percent-blocks-free=35']);
    expect([pod.nodeSelector, pod.tolerations]).toEqual([{ 'ci.kubevirt.io/cachenode': 'true' }, [{ key: 'ci.kubevirt.io/cachenode', operator: 'Exists', effect: 'NoSchedule' }]]);
    expect(deploy.spec.strategy).toEqual({ type: 'Recreate' });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 65532 });
    expect(byKind(objects, 'PersistentVolume')).toEqual([]);
    expect((byKind(objects, 'PersistentVolumeClaim')[0] as any).spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '700Gi' } },
      storageClassName: 'ibmc-block-gold',
    });
  });

  it("binds a local volume on the cache node's disk, never a hostPath in the pod", () => {
    const objects = objectsOf(renderWith({ storage: { type: 'local', size: '1400Gi', path: '/data/greenhouse' } }), 'builds-1', 'greenhouse');
    const pv = byKind(objects, 'PersistentVolume')[0] as any;
    expect([pv.metadata.name, pv.spec.local, pv.spec.capacity, pv.spec.claimRef]).toEqual([
      'kubevirt-prow-greenhouse',
      { path: '/data/greenhouse' },
      { storage: '1400Gi' },
      { namespace: 'kubevirt-prow', name: 'greenhouse' },
    ]);
    expect((byKind(objects, 'PersistentVolumeClaim')[0] as any).spec).toMatchObject({ storageClassName: '', volumeName: 'kubevirt-prow-greenhouse' });
    expect((byKind(objects, 'Deployment')[0] as any).spec.template.spec.volumes).toEqual([{ name: 'cache', persistentVolumeClaim: { claimName: 'greenhouse' } }]);
  });

  it('serves the cache where job scripts expect it, and its preset is derived from that Service', () => {
    const rendered = renderWith();
    const svc = byKind(objectsOf(rendered, 'builds-1', 'greenhouse'), 'Service')[0] as any;
    expect([svc.metadata.namespace, svc.metadata.name, svc.spec.ports.map((p: any) => [p.name, p.port])]).toEqual(['kubevirt-prow', 'bazel-cache', [['cache', 8080], ['metrics', 9090]]]);
    const [preset] = rendered.clusters[0]!.presets.map((o) => o.preset);
    expect(preset!.env).toEqual([
      { name: 'BAZEL_REMOTE_CACHE_ENABLED', value: 'true' },
      { name: 'CACHE_HOST', value: 'bazel-cache.kubevirt-prow.svc' },
      { name: 'CACHE_PORT', value: '8080' },
    ]);
    expect(preset!.services).toEqual([cacheService]);
  });

  it('refuses a volume too small for its free-space floor, naming the cluster and app', () => {
    const [problem] = problemsFrom(() => renderWith({ storage: { type: 'claim', size: '10Gi' } }));
    expect([problem!.file, problem!.object, problem!.field]).toEqual(['apps/greenhouse/src/index.ts', 'app "greenhouse" on cluster "builds-1"', 'render()']);
    expect(problem!.message).toContain('a 10Gi volume is too small for the bazel cache');
  });

  it('refuses a size that is not a quantity', () => {
    const [problem] = problemsFrom(() => renderWith({ storage: { type: 'claim', size: '700GB' } }));
    expect([problem!.field, problem!.message]).toEqual(['values.storage.size', 'must be a Kubernetes quantity such as 700Gi']);
    const [minimum] = problemsFrom(() => renderWith({ freeSpace: { minimum: '20GB' } }));
    expect([minimum!.field, minimum!.message]).toEqual(['values.freeSpace.minimum', 'must be a Kubernetes quantity such as 700Gi']);
  });
});
