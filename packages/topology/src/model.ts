import type { Construct } from 'constructs';
import type { z } from 'zod';
import type { ExposedService } from './facts/exposed.ts';
import type { Bucket } from './facts/external.ts';
import type { GitOps } from './facts/gitops.ts';
import type { KubevirtciCluster } from './facts/kubevirtci.ts';
import type { NamespaceSpec } from './facts/namespaces.ts';
import type { Versions } from './facts/versions.ts';
import { recordSource } from './source.ts';

/** A Kubernetes kind by API group ('' for the core group) and kind. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** A custom kind a release's CRDs define. */
export interface CustomKind extends GroupKind {
  readonly scope: 'Namespaced' | 'Cluster';
}

export interface HelmChartSource {
  readonly type: 'helm';
  readonly repoURL: string;
  readonly chart: string;
  readonly version: string;
  readonly releaseName: string;
  readonly values: Readonly<Record<string, unknown>>;
}

export interface KustomizePatch {
  readonly target: { readonly kind: string; readonly name: string };
  readonly patch: string;
}

export interface GitPathSource {
  readonly type: 'git';
  readonly repoURL: string;
  readonly revision: string;
  readonly path: string;
  readonly kustomizePatches?: readonly KustomizePatch[];
  /** Moves every namespaced object of the kustomization into this namespace. */
  readonly kustomizeNamespace?: string;
}

/**
 * Third-party software installed by Argo CD straight from a pinned upstream release.
 * It declares what it creates, so that the cluster's AppProject can allow exactly that
 * and what uses its custom kinds can be ordered after it.
 */
export interface Release {
  /** Becomes the Application '<cluster>-<name>'. */
  readonly name: string;
  readonly namespace: string;
  readonly source: HelmChartSource | GitPathSource;
  /** The custom kinds whose CRDs the release installs. */
  readonly installs: readonly CustomKind[];
  /** Every kind of object the release creates, for the AppProject allow-lists. */
  readonly creates: {
    readonly cluster: readonly GroupKind[];
    readonly namespaced: readonly GroupKind[];
  };
  /** CRDs too large for a client-side apply's last-applied annotation need this. */
  readonly serverSideApply: boolean;
  /**
   * The ClusterRoles it creates and binds, by name: whoever deploys it needs `escalate` and
   * `bind` on exactly these, since they grant what the deployer does not hold.
   */
  readonly clusterRoles?: readonly string[];
  /** The ClusterRoleBindings it creates, by name: whoever deploys it may change only those. */
  readonly clusterRoleBindings?: readonly string[];
  /**
   * Why deleting or renaming its Application must leave what it installed in place (Argo CD
   * itself, say): the Application then says Delete=false for every object.
   */
  readonly keepOnDelete?: string;
}

/** What flows between components, for the layout picture. */
export type FlowKind = 'jobs' | 'metrics' | 'webhooks' | 'storage' | 'images' | 'notifications';

/**
 * Something that moves between one of this app's components and another place: a component
 * on some cluster, an external service, or a GCS bucket (by purpose). 'in' draws the arrow
 * towards this app's component (GitHub's webhooks into hook), 'out' away from it.
 */
export interface Flow {
  readonly kind: FlowKind;
  readonly label: string;
  readonly direction: 'in' | 'out';
  readonly peer:
    | { readonly cluster: string; readonly component: string }
    | { readonly external: string }
    | { readonly bucket: string };
}

/**
 * An object the app's pods need that is created outside git: a Secret from the secrets
 * bundle (never its values), or a ConfigMap someone else writes. Bootstrap and the secrets
 * tool create and check these; the validator accepts references to them.
 */
export interface ProvidedObject {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly namespace: string;
  readonly name: string;
  /** The keys it must hold. */
  readonly keys: readonly string[];
  readonly description: string;
  /** For a kubeconfig: the contexts it must hold (Prow's build clusters, by name). */
  readonly contexts?: readonly string[];
}

/** A Service by namespace, name and port, on the cluster of whoever uses it. */
export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
}

/** The in-cluster DNS name of a Service. */
export function serviceHost(ref: Pick<ServiceRef, 'namespace' | 'name'>): string {
  return `${ref.name}.${ref.namespace}.svc`;
}

export function serviceUrl(ref: ServiceRef, scheme = 'http'): string {
  return `${scheme}://${serviceHost(ref)}:${ref.port}`;
}

export interface JobVolume {
  readonly name: string;
  readonly configMap?: { readonly name: string; readonly items?: readonly { readonly key: string; readonly path: string }[] };
  readonly secret?: { readonly secretName: string; readonly defaultMode?: number };
  readonly emptyDir?: Readonly<Record<string, never>>;
}

/**
 * A Prow job preset: what a job gets when it carries the label `<label>: "true"`. Prow applies
 * presets on every build cluster alike, so a preset must mean the same on each of them, and
 * whatever it points at must exist on each.
 */
export interface JobPreset {
  readonly label: string;
  readonly description: string;
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly volumes: readonly JobVolume[];
  readonly volumeMounts: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
  /** The Services it points jobs at; they must be rendered on the cluster the job runs on. */
  readonly services: readonly ServiceRef[];
}

/**
 * Where an app's component serves Prometheus metrics: the Service (by its labels, in its
 * namespace) and the name of its port. The monitoring app on the same cluster scrapes every
 * endpoint its cluster's apps declare, so an app never renders scrape objects itself.
 */
export interface MetricsEndpoint {
  /** Names the scrape job; unique on the cluster. */
  readonly name: string;
  readonly namespace: string;
  /** The labels of the Service to scrape. */
  readonly selector: Readonly<Record<string, string>>;
  /** The name of the Service port the metrics are on. */
  readonly port: string;
  /** Defaults to /metrics. */
  readonly path?: string;
  /** Keep the labels the target reports instead of the target's own (a push gateway). */
  readonly honorLabels?: boolean;
  /** Label each series with the node its pod runs on (an exporter of node metrics). */
  readonly nodeLabel?: boolean;
  readonly description: string;
}

/** What an app sees while it renders: the whole topology, its cluster, its values. */
export interface AppContext<V = unknown> {
  readonly topology: ResolvedTopology;
  readonly cluster: Cluster;
  readonly values: V;
}

/** A deployable: one package in apps/, one Argo CD Application per cluster it runs on. */
export interface AppDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  /** The seed document's words for what this is. */
  readonly component: string;
  readonly description: string;
  /** Its values, with defaults; a cluster's values are merged over them and parsed. */
  readonly values: S;
  /**
   * Values for the smoke test's kind clusters, merged over every cluster's: small volumes on
   * kind's default storage class, small requests (`kindResources()`, `kindClaim()`).
   */
  readonly kindValues?: Readonly<Record<string, unknown>>;
  /** Apps that must run on the same cluster. */
  readonly requires: readonly string[];
  /** Capabilities this app gives its cluster (for example 'certificates'). */
  readonly provides: readonly string[];
  /** The namespaces its objects land in. */
  namespaces(ctx: AppContext<z.output<S>>): readonly string[];
  /** Upstream releases it installs through their own Applications. */
  releases(ctx: AppContext<z.output<S>>): readonly Release[];
  /** Adds our own objects for this cluster to scope. */
  render(scope: Construct, ctx: AppContext<z.output<S>>): void;
  /** What flows between its component and other places, for the layout picture. */
  flows(ctx: AppContext<z.output<S>>): readonly Flow[];
  /** Objects its pods use that are created outside git (Secrets above all). */
  provided(ctx: AppContext<z.output<S>>): readonly ProvidedObject[];
  /** Prow job presets that point the jobs on its cluster at it. */
  jobPresets(ctx: AppContext<z.output<S>>): readonly JobPreset[];
  /** Where its components serve metrics, for the cluster's Prometheus to scrape. */
  metrics(ctx: AppContext<z.output<S>>): readonly MetricsEndpoint[];
}

type AppOptions<S extends z.ZodType> = Pick<AppDefinition<S>, 'name' | 'component' | 'description' | 'values'> &
  Partial<Omit<AppDefinition<S>, 'name' | 'component' | 'description' | 'values'>>;

export function defineApp<S extends z.ZodType>(options: AppOptions<S>): AppDefinition<S> {
  return recordSource({
    requires: [],
    provides: [],
    namespaces: () => [],
    releases: () => [],
    render: () => undefined,
    flows: () => [],
    provided: () => [],
    jobPresets: () => [],
    metrics: () => [],
    ...options,
  });
}

export type DeepPartial<T> = T extends readonly (infer _U)[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** An app enabled on a role, with the role's values for it. */
export interface AppBinding {
  readonly app: AppDefinition;
  readonly values: unknown;
}

export function enable<S extends z.ZodType>(app: AppDefinition<S>, values?: DeepPartial<z.input<S>>): AppBinding {
  return recordSource({ app: app as unknown as AppDefinition, values: values ?? {} });
}

/** What a cluster uses outside our clusters (the seed's "External services"). */
export interface ExternalUse {
  readonly services: readonly string[];
  /** GCS buckets by purpose. */
  readonly buckets: readonly string[];
}

/** One cluster of a role: a few lines of data. */
export interface ClusterSpec {
  /** The cluster's Prow context (the `cluster:` of jobs); also its Argo CD destination name. */
  readonly name: string;
  readonly description: string;
  readonly uses: ExternalUse;
  readonly connectedClusters: readonly { readonly cluster: string; readonly why: string }[];
  /** Names from the exposed-services facts that this cluster serves. */
  readonly exposes: readonly string[];
  /** The IngressClass of the cluster's ingress controller; required when it exposes services. */
  readonly ingressClassName?: string;
  /** Per-cluster values, by app name, merged over the role's. */
  readonly values?: Readonly<Record<string, unknown>>;
}

/** A kind of cluster (control plane, workloads): which apps run there, with which values. */
export interface RoleSpec {
  readonly role: string;
  readonly description: string;
  /** The hub runs Argo CD, which manages every cluster. Exactly one role is the hub. */
  readonly hub: boolean;
  readonly apps: readonly AppBinding[];
  readonly clusters: readonly ClusterSpec[];
}

export function defineRole(role: RoleSpec): RoleSpec {
  for (const c of role.clusters) recordSource(c);
  return recordSource(role);
}

/** Everything the repository declares: the facts, every app, every role. */
export interface Topology {
  readonly gitops: GitOps;
  readonly versions: Versions;
  readonly namespaces: Readonly<Record<string, NamespaceSpec>>;
  readonly exposedServices: Readonly<Record<string, ExposedService>>;
  /** The DNS domain the public names live under (the exposed services' hosts, each remote cluster's sidecar). */
  readonly publicDomain: string;
  readonly external: {
    readonly github: { readonly description: string; readonly org: string; readonly api: string };
    readonly gcs: { readonly description: string; readonly buckets: Readonly<Record<string, Bucket>> };
    readonly quay: { readonly description: string; readonly registry: string; readonly org: string };
    readonly slack: { readonly description: string };
  };
  readonly kubevirtci: Readonly<Record<string, KubevirtciCluster>>;
  /** Every app package, enabled somewhere or not. */
  readonly apps: readonly AppDefinition[];
  readonly roles: readonly RoleSpec[];
}

/** An app as enabled on one cluster, with its values merged and parsed. */
/** What an app's declarative hooks said on one cluster (see declare.ts). */
export interface Declared {
  readonly namespaces: readonly string[];
  readonly releases: readonly Release[];
  readonly flows: readonly Flow[];
  readonly provided: readonly ProvidedObject[];
  readonly jobPresets: readonly JobPreset[];
  readonly metrics: readonly MetricsEndpoint[];
}

export interface EnabledApp {
  readonly app: AppDefinition;
  readonly values: unknown;
  /** Its declarative hooks' answers on this cluster, made once by resolveTopology. */
  readonly declared: Declared;
}

/** A cluster after validation: its role's data and its own, resolved. */
export interface Cluster {
  readonly name: string;
  readonly role: string;
  readonly hub: boolean;
  readonly description: string;
  readonly uses: ExternalUse;
  readonly connectedClusters: ClusterSpec['connectedClusters'];
  readonly exposes: readonly string[];
  readonly ingressClassName: string | undefined;
  /** The name Argo CD knows the cluster by. */
  readonly destination: string;
  /** Repo-relative directory of its rendered manifests. */
  readonly manifestsDir: string;
  readonly apps: readonly EnabledApp[];
  /** The file that declares the cluster. */
  readonly source: string;
}

export interface ResolvedTopology extends Topology {
  readonly clusters: readonly Cluster[];
  readonly hub: Cluster;
}
