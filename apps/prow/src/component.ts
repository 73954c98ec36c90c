import { componentLabels, configHash, configHashAnnotation, deployment, emitModel, policyException, securePodSpec } from '@kubevirt-ci/kube';
import { jobsNamespace, prowNamespace } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import { CronJob } from 'kubernetes-models/batch/v1';
import { ClusterRole, Role, RoleBinding, type IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ServiceAccount, type IContainer, type IEnvVar, type IProbe, type IResourceRequirements, type IVolume, type IVolumeMount } from 'kubernetes-models/v1';
import { prowSecrets, services, type ConfigMapMount, type SecretMount } from './shared.ts';

export const app = 'prow';

/** A volume a component mounts: one of Prow's ConfigMaps or Secrets, scratch space, or a claim. */
export type Mount =
  | { readonly configMap: ConfigMapMount }
  | { readonly secret: SecretMount }
  | { readonly emptyDir: string; readonly mountPath: string }
  | { readonly claim: string; readonly volume: string; readonly mountPath: string };

export interface Port {
  readonly name: string;
  readonly containerPort: number;
  /** The Service port in front of it; omit for ports only scraped or probed on the pod. */
  readonly service?: number;
}

/**
 * How the kubelet checks the component: Prow's shared health endpoint (/healthz and
 * /healthz/ready on 8081); two HTTP paths; 'serving', ready when an HTTP path answers and alive while its
 * port accepts connections; or a TCP connect on a named port for both, where the binary
 * serves nothing else. 'tcp' and 'none' carry the reason, which lands on the Deployment as a
 * policy exception (identical-probes, probes).
 */
export type Probes =
  | { readonly kind: 'prow-health' }
  | { readonly kind: 'http'; readonly port: string; readonly liveness: string; readonly readiness: string }
  | { readonly kind: 'serving'; readonly port: string; readonly path: string }
  | { readonly kind: 'tcp'; readonly port: string; readonly why: string }
  | { readonly kind: 'none'; readonly why: string };

/** Rules per namespace; rules in a ClusterRole, bound only inside the jobs namespace. */
export interface Access {
  readonly [namespace: string]: readonly IPolicyRule[];
}

/** One Prow component: everything the builder needs to render its workload, Service and RBAC. */
export interface Component {
  readonly name: string;
  readonly image: string;
  /** What it requests by default (values.resources overrides); its memory limit is the request. */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /**
   * An external plugin: hook forwards these events to its Service, for the orgs and
   * repositories (org/repo) in `where`, or the whole org when it is absent.
   */
  readonly plugin?: { readonly events: readonly string[]; readonly where?: readonly string[] };
  readonly replicas?: number;
  /** Stop the old pod before starting the new one: a controller that must never run twice, or an RWO volume. */
  readonly recreate?: boolean;
  readonly args: readonly string[];
  /** Calls GitHub as the GitHub App (adds GITHUB_APP_ID from the github-token Secret). */
  readonly github?: boolean;
  readonly env?: readonly IEnvVar[];
  readonly mounts: readonly Mount[];
  readonly ports: readonly Port[];
  readonly probes: Probes;
  /** Namespaced RBAC: Role and RoleBinding per namespace. */
  readonly rbac?: Access;
  /** A ClusterRole, bound with a RoleBinding in the jobs namespace only (the inventory's shape). */
  readonly clusterRole?: readonly IPolicyRule[];
  readonly terminationGracePeriodSeconds?: number;
  /**
   * A batch component: a CronJob that runs on this schedule (UTC) and exits, instead of a
   * Deployment; it has no ports, so no Service.
   */
  readonly schedule?: {
    readonly cron: string;
    /** A run missed by more than this (the controller was down) waits for the next one. */
    readonly startingDeadlineSeconds: number;
    readonly backoffLimit: number;
  };
}

/** Prow's shared health endpoint. */
export const healthPort = 8081;
const healthContainerPort = { name: 'health', containerPort: healthPort };

/** ConfigMaps a mount combines into one directory (job-config's shards), by the mount's name. */
export type Projected = ReadonlyMap<string, readonly string[]>;

function volumeOf(m: Mount, projected: Projected): { volume: IVolume; mount: IVolumeMount } {
  const parts = 'configMap' in m ? projected.get(m.configMap.name) : undefined;
  if ('configMap' in m && parts) {
    return { volume: { name: m.configMap.name, projected: { sources: parts.map((name) => ({ configMap: { name } })) } }, mount: { name: m.configMap.name, mountPath: m.configMap.mountPath, readOnly: true } };
  }
  if ('configMap' in m) return { volume: { name: m.configMap.name, configMap: { name: m.configMap.name } }, mount: { name: m.configMap.name, mountPath: m.configMap.mountPath, readOnly: true } };
  if ('secret' in m) return { volume: { name: m.secret.name, secret: { secretName: m.secret.name, defaultMode: 0o440 } }, mount: { name: m.secret.name, mountPath: m.secret.mountPath, readOnly: true } };
  if ('emptyDir' in m) return { volume: { name: m.emptyDir, emptyDir: {} }, mount: { name: m.emptyDir, mountPath: m.mountPath } };
  return { volume: { name: m.volume, persistentVolumeClaim: { claimName: m.claim } }, mount: { name: m.volume, mountPath: m.mountPath } };
}

/**
 * A container of another program built on Prow's pjutil (Prow's test fakes): the health port
 * it declares and the probes of Prow's components on it.
 */
export function prowHealth(): Pick<IContainer, 'ports' | 'livenessProbe' | 'readinessProbe'> {
  return { ports: [healthContainerPort], ...probesOf({ kind: 'prow-health' }) };
}

function probesOf(p: Probes): Pick<IContainer, 'livenessProbe' | 'readinessProbe'> {
  const timing = { liveness: { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 }, readiness: { periodSeconds: 5 } };
  const http = (port: string | number, path: string): IProbe['httpGet'] => ({ port, path });
  switch (p.kind) {
    case 'prow-health':
      return { livenessProbe: { httpGet: http('health', '/healthz'), ...timing.liveness }, readinessProbe: { httpGet: http('health', '/healthz/ready'), ...timing.readiness } };
    case 'http':
      return { livenessProbe: { httpGet: http(p.port, p.liveness), ...timing.liveness }, readinessProbe: { httpGet: http(p.port, p.readiness), ...timing.readiness } };
    case 'serving':
      return { livenessProbe: { tcpSocket: { port: p.port }, ...timing.liveness }, readinessProbe: { httpGet: http(p.port, p.path), ...timing.readiness } };
    case 'tcp':
      return { livenessProbe: { tcpSocket: { port: p.port }, ...timing.liveness }, readinessProbe: { tcpSocket: { port: p.port }, ...timing.readiness } };
    case 'none':
      return {};
  }
}


/** The labels of a component's pods and objects. */
export function labelsOf(name: string): Record<string, string> {
  return componentLabels(app, name);
}

/** The GITHUB_APP_ID variable the github flags expand. */
export const githubAppIdEnv: IEnvVar = { name: 'GITHUB_APP_ID', valueFrom: { secretKeyRef: { name: prowSecrets.githubToken.name, key: 'appid' } } };

/** The container of a component (shared by Deployments and label-sync's CronJob). */
export function containerOf(c: Component, resources: IResourceRequirements, projected: Projected = new Map()): IContainer {
  const mounts = c.mounts.map((m) => volumeOf(m, projected));
  const ports = [...c.ports, ...(c.probes.kind === 'prow-health' ? [healthContainerPort] : [])];
  const env = [...(c.github ? [githubAppIdEnv] : []), ...(c.env ?? [])];
  return {
    name: c.name,
    image: c.image,
    args: [...c.args],
    ...(env.length ? { env } : {}),
    ...(ports.length ? { ports: ports.map((p) => ({ name: p.name, containerPort: p.containerPort })) } : {}),
    ...probesOf(c.probes),
    resources,
    volumeMounts: mounts.map((m) => m.mount),
  };
}

export function volumesOf(c: Component, projected: Projected = new Map()): IVolume[] {
  return c.mounts.map((m) => volumeOf(m, projected).volume);
}

export function mountedConfigMaps(c: Component): string[] {
  return c.mounts.flatMap((m) => ('configMap' in m ? [m.configMap.name] : []));
}

function roleBinding(scope: Construct, name: string, namespace: string, roleKind: 'Role' | 'ClusterRole', labels: Record<string, string>) {
  emitModel(
    scope,
    new RoleBinding({
      metadata: { name, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleKind === 'ClusterRole' ? `prow-${name}` : name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: prowNamespace }],
    }),
  );
}

/** The ServiceAccount and RBAC of a component; returns the account's name, or undefined when it needs none. */
export function renderAccess(scope: Construct, c: Pick<Component, 'name' | 'rbac' | 'clusterRole'>): string | undefined {
  const labels = labelsOf(c.name);
  const namespaces = Object.keys(c.rbac ?? {});
  if (namespaces.length === 0 && !c.clusterRole) return undefined;
  emitModel(scope, new ServiceAccount({ metadata: { name: c.name, namespace: prowNamespace, labels } }));
  for (const ns of namespaces) {
    emitModel(scope, new Role({ metadata: { name: c.name, namespace: ns, labels }, rules: c.rbac![ns]!.map((r) => ({ ...r })) }));
    roleBinding(scope, c.name, ns, 'Role', labels);
  }
  if (c.clusterRole) {
    emitModel(scope, new ClusterRole({ metadata: { name: `prow-${c.name}`, labels }, rules: c.clusterRole.map((r) => ({ ...r })) }));
    roleBinding(scope, c.name, jobsNamespace, 'ClusterRole', labels);
  }
  return c.name;
}

/** A batch component's CronJob: one run at a time, its pod restarted never, the config hash on its template. */
function renderCronJob(scope: Construct, c: Component, schedule: NonNullable<Component['schedule']>, resources: IResourceRequirements, hash: string | undefined, serviceAccountName: string | undefined, projected: Projected): void {
  const labels = labelsOf(c.name);
  emitModel(
    scope,
    new CronJob({
      metadata: { name: c.name, namespace: prowNamespace, labels },
      spec: {
        schedule: schedule.cron,
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: schedule.startingDeadlineSeconds,
        jobTemplate: {
          spec: {
            backoffLimit: schedule.backoffLimit,
            template: {
              metadata: { labels, ...(hash ? { annotations: { [configHashAnnotation]: hash } } : {}) },
              spec: securePodSpec({ ...(serviceAccountName ? { serviceAccountName } : {}), restartPolicy: 'Never', containers: [containerOf(c, resources, projected)], volumes: volumesOf(c, projected) }),
            },
          },
        },
      },
    }),
  );
}

/**
 * Renders a component: ServiceAccount and RBAC (only when it has rules), then for a batch one
 * its CronJob; otherwise the Deployment with the config hash on its pod template, its Service,
 * and for more than one replica a disruption budget (the workload construct spreads the
 * replicas across nodes).
 */
export function renderComponent(scope: Construct, c: Component, resources: IResourceRequirements, configData: ReadonlyMap<string, Readonly<Record<string, string>>>, projected: Projected = new Map()): void {
  const labels = labelsOf(c.name);
  const serviceAccountName = renderAccess(scope, c);
  const replicas = c.replicas ?? 1;
  const hash = configHash(mountedConfigMaps(c), configData);
  if (c.schedule) return renderCronJob(scope, c, c.schedule, resources, hash, serviceAccountName, projected);
  const servicePorts = c.ports.filter((p) => p.service !== undefined);
  deployment(scope, {
    name: c.name,
    namespace: prowNamespace,
    labels,
    replicas,
    recreate: c.recreate,
    ...(servicePorts.length > 0 ? { service: { ports: servicePorts.map((p) => ({ name: p.name, port: p.service!, targetPort: p.name })) } } : {}),
    ...(replicas > 1 ? { budget: { maxUnavailable: 1 } } : {}),
    ...(c.probes.kind === 'none' ? { annotations: policyException('probes', c.probes.why) } : c.probes.kind === 'tcp' ? { annotations: policyException('identical-probes', c.probes.why) } : {}),
    ...(hash ? { podAnnotations: { [configHashAnnotation]: hash } } : {}),
    pod: {
      ...(serviceAccountName ? { serviceAccountName } : {}),
      ...(c.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: c.terminationGracePeriodSeconds } : {}),
      containers: [containerOf(c, resources, projected)],
      volumes: volumesOf(c, projected),
    },
  });
}

/**
 * What is wrong between the components and `services`, the table other components' flags
 * take URLs from: each name there must be a component whose Service serves that port.
 */
export function servicesMismatch(comps: readonly Pick<Component, 'name' | 'ports'>[]): string[] {
  return Object.entries(services).flatMap(([name, { port }]) => {
    const c = comps.find((x) => x.name === name);
    if (!c) return [`services.${name}: no component is named ${name}`];
    const served = c.ports.flatMap((p) => (p.service === undefined ? [] : [p.service]));
    return served.includes(port) ? [] : [`services.${name}: port ${port}, but component ${name}'s Service serves ${served.join(', ') || 'no port'}; take the record's port from services.${name}.port`];
  });
}
