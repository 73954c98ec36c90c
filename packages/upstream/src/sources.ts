import type { Versions } from '@kubevirt-ci/topology';
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
