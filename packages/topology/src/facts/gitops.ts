import { here, recordSource } from '../source.ts';

/** Where Argo CD reads this repository from, and where Argo CD itself lives. */
export interface GitOps {
  /** The git repository Argo CD syncs from. */
  readonly repoURL: string;
  /** The branch, tag or commit Argo CD follows. */
  readonly targetRevision: string;
  /** Where this monorepo sits inside repoURL ('' when it is the repository's root). */
  readonly basePath: string;
  /** The namespace Argo CD runs in, on the hub cluster. */
  readonly argocdNamespace: string;
  /** Argo CD's own name for the cluster it runs on. */
  readonly inClusterName: string;
}

export const gitops: GitOps = recordSource(
  {
    repoURL: 'https://github.com/kubevirt/project-infra',
    targetRevision: 'main',
    basePath: '',
    argocdNamespace: 'argocd',
    inClusterName: 'in-cluster',
  },
  here(import.meta.url),
);
