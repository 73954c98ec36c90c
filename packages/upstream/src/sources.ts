import { imageTag, type Versions } from '@kubevirt-ci/topology';
import { kubeconformVersion } from '@kubevirt-ci/validate';

/** Files of an upstream Go module at one of our pins. */
export interface ModuleSource {
  readonly module: string;
  readonly version: string;
  /** The directory inside the module. */
  readonly path: string;
}

/** The Kubernetes API the schemas come from: its OpenAPI v3 documents, one per group version. */
export function kubernetesApi(v: Pick<Versions, 'kubernetesPatch'>): ModuleSource {
  return { module: 'k8s.io/kubernetes', version: `v${v.kubernetesPatch}`, path: 'api/openapi-spec/v3' };
}

/**
 * The CRDs of the releases Argo CD installs, at the versions it installs them: each release's
 * Go module carries the same CRD files its manifests and chart are built from.
 */
export function crdSources(v: Pick<Versions, 'argocd' | 'certManager' | 'prometheusOperator'>): readonly ModuleSource[] {
  return [
    { module: 'github.com/argoproj/argo-cd/v3', version: v.argocd, path: 'manifests/crds' },
    { module: 'github.com/cert-manager/cert-manager', version: v.certManager, path: 'deploy/crds' },
    { module: 'github.com/prometheus-operator/prometheus-operator', version: v.prometheusOperator.tag, path: 'example/prometheus-operator-crd' },
  ];
}

/** kubeconform, the version CI installed before it was built here too. */
export const kubeconform = { module: 'github.com/yannh/kubeconform', pkg: 'github.com/yannh/kubeconform/cmd/kubeconform', version: kubeconformVersion } as const;

/**
 * Prometheus publishes its Go module as v0.<major><minor, two digits>.<patch>: the module
 * v0.314.0 is the release v3.14.0 (its VERSION file says 3.14.0).
 */
export function prometheusModuleVersion(image: string): string {
  const m = /:v(\d+)\.(\d+)\.(\d+)$/.exec(image);
  if (!m) throw new Error(`the Prometheus image "${image}" is not tagged vX.Y.Z`);
  return `v0.${Number(m[1]) * 100 + Number(m[2])}.${m[3]}`;
}

/** promtool of the Prometheus we run, which checks the rules as that Prometheus reads them. */
export function promtool(v: Pick<Versions, 'prometheus'>) {
  return { module: 'github.com/prometheus/prometheus', pkg: 'github.com/prometheus/prometheus/cmd/promtool', version: prometheusModuleVersion(v.prometheus) } as const;
}

/** A Go program by module, main package and the module version its image was built from. */
export interface ProgramSource {
  readonly module: string;
  readonly pkg: string;
  readonly version: string;
}

/**
 * The programs of the images we run whose command lines we write, by image: each image's
 * tag names the release of its module. Images whose containers the operator writes
 * (Prometheus, Alertmanager, the Thanos sidecar) and those whose module the proxy does not
 * serve at our pin (Prow's at its tag's commit, pushgateway, x509-certificate-exporter) are
 * not here; the README of each app says what checks them instead.
 */
export function programsByImage(v: Versions): ReadonlyMap<string, ProgramSource> {
  return new Map<string, ProgramSource>([
    [v.thanos, { module: 'github.com/thanos-io/thanos', pkg: 'github.com/thanos-io/thanos/cmd/thanos', version: imageTag(v.thanos) }],
    [v.nodeExporter, { module: 'github.com/prometheus/node_exporter', pkg: 'github.com/prometheus/node_exporter', version: imageTag(v.nodeExporter) }],
    [v.blackboxExporter, { module: 'github.com/prometheus/blackbox_exporter', pkg: 'github.com/prometheus/blackbox_exporter', version: imageTag(v.blackboxExporter) }],
    [v.kubeStateMetrics, { module: 'k8s.io/kube-state-metrics/v2', pkg: 'k8s.io/kube-state-metrics/v2', version: imageTag(v.kubeStateMetrics) }],
  ]);
}
