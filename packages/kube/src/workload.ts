import type { Construct } from 'constructs';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service, type IContainer, type IPodSpec, type IProbe, type IServicePort } from 'kubernetes-models/v1';
import { emitModel } from './emit.ts';
import { restrictedContainer, restrictedPod } from './security.ts';

/**
 * A pod spec that runs restricted unless it says otherwise: a pod or container that sets its
 * own securityContext keeps exactly that one (say why in a policy exception).
 */
export function securePodSpec(spec: IPodSpec): IPodSpec {
  return {
    automountServiceAccountToken: spec.serviceAccountName !== undefined,
    ...spec,
    securityContext: spec.securityContext ?? restrictedPod(),
    containers: spec.containers.map(secureContainer),
    ...(spec.initContainers ? { initContainers: spec.initContainers.map(secureContainer) } : {}),
  };
}

function secureContainer(c: IContainer): IContainer {
  return { ...c, securityContext: c.securityContext ?? restrictedContainer() };
}

/** Spreads a workload's replicas across nodes where it can, so one node going away takes one replica. */
export function spreadAcrossNodes(labels: Record<string, string>): Pick<IPodSpec, 'topologySpreadConstraints'> {
  return { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }] };
}

/** How many of a workload's pods a voluntary disruption (a node drain) may take at once. */
export type DisruptionBudget = { readonly maxUnavailable: number } | { readonly minAvailable: number };

export interface WorkloadOptions {
  readonly name: string;
  readonly namespace: string;
  /** The pods' labels; the selector uses them all. */
  readonly labels: Record<string, string>;
  /** Default 1. More than one needs a `budget`; the pods are then spread across nodes. */
  readonly replicas?: number;
  readonly annotations?: Record<string, string>;
  readonly podAnnotations?: Record<string, string>;
  readonly pod: IPodSpec;
  /**
   * A ClusterIP Service in front of the pods (default name: the workload's), selecting their
   * labels. A targetPort by name must be a port some container declares; a number need not be.
   */
  readonly service?: { readonly name?: string; readonly ports: readonly IServicePort[] };
  /** A PodDisruptionBudget over the pods; required for more than one replica. */
  readonly budget?: DisruptionBudget;
}

/**
 * Refuses, when the workload is built, what the API server or the kubelet would: a mount of
 * a volume the pod does not have, a probe or Service port by a name no container declares,
 * and more than one replica without a disruption budget.
 */
function checkWorkload(kind: string, o: WorkloadOptions, claims: readonly string[] = []): void {
  const what = `${kind} ${o.namespace}/${o.name}`;
  const volumes = new Set([...(o.pod.volumes ?? []).map((v) => v.name), ...claims]);
  const containers = [...(o.pod.initContainers ?? []), ...o.pod.containers];
  const declared = new Set(containers.flatMap((c) => (c.ports ?? []).flatMap((p) => (p.name ? [p.name] : []))));
  for (const c of containers) {
    for (const m of c.volumeMounts ?? []) {
      if (!volumes.has(m.name)) throw new Error(`${what}: container ${c.name} mounts volume "${m.name}" at ${m.mountPath}, which the pod does not have; add it to the pod's volumes`);
    }
    const own = new Set((c.ports ?? []).flatMap((p) => (p.name ? [p.name] : [])));
    for (const [probe, p] of [['livenessProbe', c.livenessProbe], ['readinessProbe', c.readinessProbe], ['startupProbe', c.startupProbe]] as [string, IProbe | undefined][]) {
      const port = p?.httpGet?.port ?? p?.tcpSocket?.port ?? p?.grpc?.port;
      if (typeof port === 'string' && !own.has(port)) throw new Error(`${what}: container ${c.name}'s ${probe} probes port "${port}", which it does not declare; name one of its ports`);
    }
  }
  for (const p of o.service?.ports ?? []) {
    if (typeof p.targetPort === 'string' && !declared.has(p.targetPort)) throw new Error(`${what}: its Service's port ${p.name ?? p.port} targets "${p.targetPort}", which no container declares`);
  }
  if ((o.replicas ?? 1) > 1 && !o.budget) throw new Error(`${what} has ${o.replicas} replicas and no disruption budget; give it one (budget: { maxUnavailable: 1 })`);
}

function podTemplate(o: WorkloadOptions) {
  const spread = (o.replicas ?? 1) > 1 && !o.pod.topologySpreadConstraints && !o.pod.affinity?.podAntiAffinity;
  return {
    metadata: { labels: o.labels, ...(o.podAnnotations ? { annotations: o.podAnnotations } : {}) },
    spec: securePodSpec({ ...o.pod, ...(spread ? spreadAcrossNodes(o.labels) : {}) }),
  };
}

/** The Service and disruption budget a workload asks for. */
function companions(scope: Construct, o: WorkloadOptions): void {
  if (o.service) service(scope, { name: o.service.name ?? o.name, namespace: o.namespace, labels: o.labels, selector: o.labels, ports: [...o.service.ports] });
  if (o.budget) emitModel(scope, new PodDisruptionBudget({ metadata: { name: o.name, namespace: o.namespace, labels: o.labels }, spec: { ...o.budget, selector: { matchLabels: o.labels } } }));
}

function meta(o: WorkloadOptions) {
  return { name: o.name, namespace: o.namespace, labels: o.labels, ...(o.annotations ? { annotations: o.annotations } : {}) };
}

/**
 * A Deployment. `recreate` stops the old pod before the new one starts: for a single pod
 * holding a ReadWriteOnce volume, or a controller that must never run twice.
 */
export function deployment(scope: Construct, o: WorkloadOptions & { readonly recreate?: boolean }) {
  checkWorkload('Deployment', o);
  companions(scope, o);
  return emitModel(
    scope,
    new Deployment({
      metadata: meta(o),
      spec: {
        replicas: o.replicas ?? 1,
        selector: { matchLabels: o.labels },
        ...(o.recreate ? { strategy: { type: 'Recreate' } } : {}),
        template: podTemplate(o),
      },
    }),
  );
}

export function statefulSet(scope: Construct, o: WorkloadOptions & { readonly serviceName: string; readonly volumeClaims: { name: string; size: string; storageClassName?: string }[] }) {
  checkWorkload('StatefulSet', o, o.volumeClaims.map((c) => c.name));
  companions(scope, o);
  return emitModel(
    scope,
    new StatefulSet({
      metadata: meta(o),
      spec: {
        replicas: o.replicas ?? 1,
        serviceName: o.serviceName,
        selector: { matchLabels: o.labels },
        template: podTemplate(o),
        volumeClaimTemplates: o.volumeClaims.map((c) => ({
          metadata: { name: c.name },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: c.size } },
            ...(c.storageClassName ? { storageClassName: c.storageClassName } : {}),
          },
        })),
      },
    }),
  );
}

/** A ClusterIP Service selecting the given pod labels. */
export function service(scope: Construct, o: { name: string; namespace: string; labels: Record<string, string>; selector: Record<string, string>; ports: IServicePort[] }) {
  return emitModel(
    scope,
    new Service({
      metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
      spec: { selector: o.selector, ports: o.ports.map((p) => ({ protocol: 'TCP', ...p })) },
    }),
  );
}
