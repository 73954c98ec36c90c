import type { Construct } from 'constructs';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Service, type IContainer, type IPodSpec, type IServicePort } from 'kubernetes-models/v1';
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

export interface WorkloadOptions {
  readonly name: string;
  readonly namespace: string;
  /** The pods' labels; the selector uses them all. */
  readonly labels: Record<string, string>;
  readonly replicas?: number;
  readonly annotations?: Record<string, string>;
  readonly podAnnotations?: Record<string, string>;
  readonly pod: IPodSpec;
}

function podTemplate(o: WorkloadOptions) {
  return {
    metadata: { labels: o.labels, ...(o.podAnnotations ? { annotations: o.podAnnotations } : {}) },
    spec: securePodSpec(o.pod),
  };
}

function meta(o: WorkloadOptions) {
  return { name: o.name, namespace: o.namespace, labels: o.labels, ...(o.annotations ? { annotations: o.annotations } : {}) };
}

/**
 * A Deployment. `recreate` stops the old pod before the new one starts: for a single pod
 * holding a ReadWriteOnce volume, or a controller that must never run twice.
 */
export function deployment(scope: Construct, o: WorkloadOptions & { readonly recreate?: boolean }) {
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
