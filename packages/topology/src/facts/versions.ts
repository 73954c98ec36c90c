import { here, recordSource } from '../source.ts';

/**
 * Every pinned version in one place, so a bump is a one-line change a bot can make.
 * Upstream software is installed from these releases by Argo CD; nothing is vendored here.
 */
export const versions = recordSource(
  {
    /** The Kubernetes minor the manifests target (cdk8s-plus-33 types). */
    kubernetes: '1.33',
    /** github.com/argoproj/argo-cd release tag. */
    argocd: 'v3.4.2',
    /** charts.jetstack.io cert-manager chart version. */
    certManager: 'v1.19.4',
    /** greenhouse, the bazel cache (kubernetes/test-infra); only published by digest. */
    greenhouse: 'gcr.io/k8s-testimages/greenhouse@sha256:ab1a3421cc3c072a813d8543735f218ca6caa811011391a0e5b00104700e6e7b',
    /** rpardini/docker-registry-proxy release tag. */
    dockerRegistryProxy: 'ghcr.io/rpardini/docker-registry-proxy:0.6.2',
    /**
     * openshift/ci-search publishes nothing but a moving :latest, so we build the commit we
     * run into quay.io/kubevirtci (.github/workflows/images.yaml) and pin that.
     */
    ciSearch: { repo: 'https://github.com/openshift/ci-search', commit: '27e6d6618a1644391e17edcba9b00f86346ef1fc' },
  },
  here(import.meta.url),
);

export type Versions = typeof versions;

/** The image we build from ci-search's pinned commit. */
export function ciSearchImage(v: Pick<Versions, 'ciSearch'> = versions): string {
  return `quay.io/kubevirtci/ci-search:${v.ciSearch.commit.slice(0, 12)}`;
}
