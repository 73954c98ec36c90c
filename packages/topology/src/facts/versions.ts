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
  },
  here(import.meta.url),
);

export type Versions = typeof versions;
