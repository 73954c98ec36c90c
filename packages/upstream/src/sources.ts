import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageTag, type Versions } from '@kubevirt-ci/topology';
import { kubeconformVersion } from '@kubevirt-ci/validate';
import { moduleDir, type GoProgram } from './go.ts';

/** Our own Go harnesses: main packages that call an upstream parser (see harness/). */
const harnessDir = join(import.meta.dirname, '..', 'harness');

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
export type ProgramSource = GoProgram;

/**
 * The test cluster's control plane at the pinned patch: Kubernetes builds its staging modules
 * (k8s.io/api, k8s.io/apiserver, ...) from its own tree and requires them as v0.0.0; the proxy
 * serves each as v0.<minor>.<patch> of the same release.
 */
export function kubernetesPrograms(v: Pick<Versions, 'kubernetesPatch'>) {
  const [major, minor, patch] = v.kubernetesPatch.split('.');
  const version = `v${v.kubernetesPatch}`;
  // What hack/lib/version.sh stamps into a release build, so /version says the release.
  const stamp = ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version'].flatMap((p) => [`${p}.gitVersion=${version}`, `${p}.gitMajor=${major}`, `${p}.gitMinor=${minor}`]);
  const of = (cmd: string): ProgramSource => ({ module: 'k8s.io/kubernetes', pkg: `k8s.io/kubernetes/cmd/${cmd}`, version, local: { version: `v0.${minor}.${patch}` }, ldflags: stamp });
  return { apiserver: of('kube-apiserver'), controllerManager: of('kube-controller-manager') } as const;
}

/**
 * etcd at the version the pinned Kubernetes release installs with (kubeadm's DefaultEtcdVersion
 * in cmd/kubeadm/app/constants/constants.go), so it is one fact with the Kubernetes pin. Its
 * server module builds the etcd binary and requires its sibling modules at the same release.
 */
export function etcdProgram(v: Pick<Versions, 'kubernetesPatch'>, env: NodeJS.ProcessEnv = process.env): ProgramSource {
  const constants = readFileSync(join(moduleDir('k8s.io/kubernetes', `v${v.kubernetesPatch}`, env), 'cmd/kubeadm/app/constants/constants.go'), 'utf8');
  const m = /DefaultEtcdVersion\s*=\s*"(\d+\.\d+\.\d+)-\d+"/.exec(constants);
  if (!m) throw new Error(`k8s.io/kubernetes v${v.kubernetesPatch} has no DefaultEtcdVersion in cmd/kubeadm/app/constants/constants.go; read where that release names its etcd and update etcdProgram()`);
  return { module: 'go.etcd.io/etcd/server/v3', pkg: 'go.etcd.io/etcd/server/v3', version: `v${m[1]}` };
}

/**
 * The programs of the images we run, by image: each image's tag names the release of its
 * module. Prometheus, Alertmanager and the config reloader run in the containers
 * prometheus-operator writes (packages/testcluster's operated check has it write them).
 * Images whose module the proxy does not serve at our pin (Prow's at its tag's commit,
 * pushgateway, x509-certificate-exporter) are not here; the README of each app says what
 * checks them instead.
 */
export function programsByImage(v: Versions): ReadonlyMap<string, ProgramSource> {
  const operator = prometheusOperatorPrograms(v);
  return new Map<string, ProgramSource>([
    [v.prometheus, { module: 'github.com/prometheus/prometheus', pkg: 'github.com/prometheus/prometheus/cmd/prometheus', version: prometheusModuleVersion(v.prometheus) }],
    // Its web UI (ui/app/dist) is built by npm before go build, and embedded.
    [v.alertmanager, { module: 'github.com/prometheus/alertmanager', pkg: 'github.com/prometheus/alertmanager/cmd/alertmanager', version: imageTag(v.alertmanager), generatedAssets: ['ui/app/dist'] }],
    [operator.configReloaderImage, operator.configReloader],
    // Its release build's tags (.promu.yml at v0.42.4): without slicelabels, receive's gRPC
    // answers marshal labels at garbage sizes, and it panics when query asks for its series.
    [v.thanos, { module: 'github.com/thanos-io/thanos', pkg: 'github.com/thanos-io/thanos/cmd/thanos', version: imageTag(v.thanos), tags: ['netgo', 'slicelabels'] }],
    [v.nodeExporter, { module: 'github.com/prometheus/node_exporter', pkg: 'github.com/prometheus/node_exporter', version: imageTag(v.nodeExporter) }],
    [v.blackboxExporter, { module: 'github.com/prometheus/blackbox_exporter', pkg: 'github.com/prometheus/blackbox_exporter', version: imageTag(v.blackboxExporter) }],
    [v.kubeStateMetrics, { module: 'k8s.io/kube-state-metrics/v2', pkg: 'k8s.io/kube-state-metrics/v2', version: imageTag(v.kubeStateMetrics) }],
  ]);
}

/**
 * prometheus-operator at its tag, and amtool of the Alertmanager we run. The operator's
 * default config reloader image is quay.io/prometheus-operator/prometheus-config-reloader:v
 * plus the version its build stamps into github.com/prometheus/common/version
 * (pkg/operator/defaults.go, and GO_BUILD_LDFLAGS in its Makefile), so our build stamps it too.
 * Its own API module and client are directories of its repository, published at the same tag.
 */
export function prometheusOperatorPrograms(v: Pick<Versions, 'prometheusOperator' | 'alertmanager'>) {
  const module = 'github.com/prometheus-operator/prometheus-operator';
  const version = v.prometheusOperator.tag;
  const of = (cmd: string): ProgramSource => ({ module, pkg: `${module}/cmd/${cmd}`, version, local: { version }, ldflags: [`github.com/prometheus/common/version.Version=${version.replace(/^v/, '')}`] });
  return {
    operator: of('operator'),
    configReloader: of('prometheus-config-reloader'),
    configReloaderImage: `quay.io/prometheus-operator/prometheus-config-reloader:${version}`,
    amtool: { module: 'github.com/prometheus/alertmanager', pkg: 'github.com/prometheus/alertmanager/cmd/amtool', version: imageTag(v.alertmanager) } satisfies ProgramSource,
  } as const;
}

/**
 * The cron parsers of Prow and of Kubernetes' CronJob validation, run by a harness of ours
 * (harness/schedules): cron.v2 at the version Prow's go.mod pins at our Prow commit (read
 * from kubernetes-sigs/prow at c47e31ece; the proxy serves this module, not Prow's), cron v3
 * at the version k8s.io/kubernetes' go.mod pins at our Kubernetes patch, and Go's
 * time.ParseDuration, which Prow parses timeouts and intervals with.
 */
export function scheduleParsers(v: Pick<Versions, 'kubernetesPatch'>): GoProgram {
  const kubernetes = readFileSync(join(moduleDir('k8s.io/kubernetes', `v${v.kubernetesPatch}`), 'go.mod'), 'utf8');
  const cronV3 = /^\s*github\.com\/robfig\/cron\/v3 (v\S+)/m.exec(kubernetes)?.[1];
  if (!cronV3) throw new Error(`k8s.io/kubernetes v${v.kubernetesPatch} requires no github.com/robfig/cron/v3`);
  return {
    module: 'gopkg.in/robfig/cron.v2',
    pkg: 'schedules',
    version: 'v2.0.0-20150107220207-be2e0b0deed5',
    harness: readFileSync(join(harnessDir, 'schedules', 'main.go'), 'utf8'),
    requires: [{ module: 'github.com/robfig/cron/v3', version: cronV3 }],
  };
}
