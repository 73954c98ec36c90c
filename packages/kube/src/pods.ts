/** The pod template inside a workload object, wherever its kind keeps it. */
export interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  volumes?: VolumeLike[];
  imagePullSecrets?: { name?: string }[];
  [key: string]: unknown;
}

export interface ContainerLike {
  name?: string;
  image?: string;
  env?: { name?: string; valueFrom?: { secretKeyRef?: { name?: string; key?: string }; configMapKeyRef?: { name?: string; key?: string } } }[];
  envFrom?: { secretRef?: { name?: string }; configMapRef?: { name?: string } }[];
  [key: string]: unknown;
}

export interface VolumeLike {
  name?: string;
  secret?: { secretName?: string; items?: { key?: string }[] };
  configMap?: { name?: string };
  persistentVolumeClaim?: { claimName?: string };
  hostPath?: { path?: string };
  [key: string]: unknown;
}

interface Workload {
  kind: string;
  spec?: Record<string, unknown>;
}

/** Where each workload kind keeps its pod template (metadata and spec), from the object's root. */
export const podTemplatePaths: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** The pod spec of a workload object and its field path, or undefined for other kinds. */
export function podSpecOf(obj: Workload): { path: string; spec: PodSpecLike } | undefined {
  const template = podTemplatePaths[obj.kind];
  if (!template) return undefined;
  const path = [...template, 'spec'];
  let cur: unknown = obj;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'object' && cur !== null ? { path: path.join('.'), spec: cur as PodSpecLike } : undefined;
}

/** Every container of a pod spec, init containers first. */
export function containersOf(spec: PodSpecLike): ContainerLike[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** The Secrets a pod spec reads, by name, with the keys it names (empty when it takes all). */
export function secretRefsOf(spec: PodSpecLike): Map<string, Set<string>> {
  const refs = new Map<string, Set<string>>();
  const add = (name: string | undefined, key?: string) => {
    if (!name) return;
    const keys = refs.get(name) ?? new Set<string>();
    if (key) keys.add(key);
    refs.set(name, keys);
  };
  for (const v of spec.volumes ?? []) {
    if (v.secret) {
      add(v.secret.secretName);
      for (const item of v.secret.items ?? []) add(v.secret.secretName, item.key);
    }
  }
  for (const c of containersOf(spec)) {
    for (const e of c.env ?? []) add(e.valueFrom?.secretKeyRef?.name, e.valueFrom?.secretKeyRef?.key);
    for (const e of c.envFrom ?? []) add(e.secretRef?.name);
  }
  for (const s of spec.imagePullSecrets ?? []) add(s.name);
  return refs;
}
