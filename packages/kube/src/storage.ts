import type { Construct } from 'constructs';
import { PersistentVolume, PersistentVolumeClaim, type IPodSpec } from 'kubernetes-models/v1';
import { conventions } from '@kubevirt-ci/topology';
import { z } from 'zod';
import { emitModel } from './emit.ts';
import { parseQuantity } from './quantity.ts';

/** The node label (and taint) of the nodes that hold the caches. */
export const cacheNode = conventions.cacheNode;

/** Schedules a pod onto a cache node: select it and tolerate its taint. */
export function onCacheNode(): Pick<IPodSpec, 'nodeSelector' | 'tolerations'> {
  return {
    nodeSelector: { [cacheNode.label]: cacheNode.value },
    tolerations: [{ key: cacheNode.label, operator: 'Exists', effect: 'NoSchedule' }],
  };
}

/** The largest volume or amount of data a value may name: no disk we run on comes near it. */
export const largestQuantity = '1Pi';

/** A values field holding a Kubernetes quantity, above zero and at most largestQuantity. */
export const quantity = boundedQuantity(largestQuantity, 'such as 700Gi');

/** A quantity field above zero and at most `max`. */
export function boundedQuantity(max: string, example: string) {
  const limit = parseQuantity(max);
  return z.string().superRefine((q, ctx) => {
    let bytes: number;
    try {
      bytes = parseQuantity(q);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a Kubernetes quantity ${example}` });
      return;
    }
    if (bytes <= 0) ctx.addIssue({ code: 'custom', message: `must be above zero, ${example}` });
    else if (bytes > limit) ctx.addIssue({ code: 'custom', message: `${q} is more than ${max}; is the unit right?` });
  });
}

/**
 * Where a cache keeps its data: a claim on the cluster's storage (managed clusters), or a
 * directory on the cache node's local disk (bare-metal clusters), bound through a local
 * PersistentVolume so the pod itself never mounts a host path.
 */
export const cacheStorage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('claim'), size: quantity, storageClassName: z.string().min(1).optional() }).strict(),
  z.object({ type: z.literal('local'), size: quantity, path: z.string().regex(/^\/\S+$/, 'must be an absolute path') }).strict(),
]);
export type CacheStorage = z.output<typeof cacheStorage>;

/**
 * A PersistentVolume on a directory of the cache node's disk, bound in advance to one claim, so
 * the pod that mounts the claim lands on that node and never mounts a host path itself. It is
 * cluster-scoped, so its name carries the namespace.
 */
export function localPersistentVolume(scope: Construct, opts: { name: string; size: string; path: string; claim: { namespace: string; name: string }; labels: Record<string, string> }) {
  return emitModel(scope, new PersistentVolume({
    metadata: { name: opts.name, labels: opts.labels },
    spec: {
      capacity: { storage: opts.size },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      volumeMode: 'Filesystem',
      local: { path: opts.path },
      claimRef: { ...opts.claim },
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: cacheNode.label, operator: 'In', values: [cacheNode.value] }] }] },
      },
    },
  }));
}

/**
 * Renders the claim (and for local storage, the PersistentVolume it binds to) and returns the
 * pod volume that mounts it.
 */
export function cacheVolume(scope: Construct, opts: { name: string; namespace: string; volume: string; storage: CacheStorage; labels: Record<string, string> }) {
  const { name, namespace, storage, labels } = opts;
  const pvName = `${namespace}-${name}`;
  if (storage.type === 'local') {
    localPersistentVolume(scope, { name: pvName, size: storage.size, path: storage.path, claim: { namespace, name }, labels });
  }
  emitModel(scope, new PersistentVolumeClaim({
    metadata: { name, namespace, labels },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: storage.size } },
      ...(storage.type === 'local' ? { storageClassName: '', volumeName: pvName } : storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
    },
  }));
  return { name: opts.volume, persistentVolumeClaim: { claimName: name } };
}
