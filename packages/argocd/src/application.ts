import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { emitModel } from '@kubevirt-ci/kube';
import { conventions, type GitOps, type HelmChartSource, type GitPathSource } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import { resourcesFinalizer, syncPolicy, syncWaveAnnotation } from './sync.ts';

/** A directory of this repository, rendered by synth. */
export interface RenderedSource {
  readonly type: 'rendered';
  readonly path: string;
}

export type ApplicationSourceSpec = RenderedSource | HelmChartSource | GitPathSource;

export interface ApplicationProps {
  readonly name: string;
  readonly project: string;
  readonly destination: { readonly name: string; readonly namespace: string };
  readonly source: ApplicationSourceSpec;
  readonly wave: number;
  readonly serverSideApply: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly description: string;
  /** Custom kinds the Application's CRDs define ('Kind.group'), so a validator can order what uses them. */
  readonly installs?: readonly string[];
  /** Deleting or renaming the Application must leave its objects: Delete=false. */
  readonly keepOnDelete?: boolean;
}

/** Lists the custom kinds a release Application installs, for checks that read only manifests. */
export const installsAnnotation = conventions.annotations.installs;

function sourceOf(gitops: GitOps, s: ApplicationSourceSpec) {
  switch (s.type) {
    case 'rendered':
      return {
        repoURL: gitops.repoURL,
        targetRevision: gitops.targetRevision,
        path: gitops.basePath ? `${gitops.basePath}/${s.path}` : s.path,
        directory: { recurse: false },
      };
    case 'helm':
      return {
        repoURL: s.repoURL,
        chart: s.chart,
        targetRevision: s.version,
        helm: { releaseName: s.releaseName, valuesObject: { ...s.values } },
      };
    case 'git':
      return {
        repoURL: s.repoURL,
        targetRevision: s.revision,
        path: s.path,
        ...(s.kustomizePatches?.length || s.kustomizeNamespace
          ? {
              kustomize: {
                ...(s.kustomizeNamespace ? { namespace: s.kustomizeNamespace } : {}),
                ...(s.kustomizePatches?.length ? { patches: s.kustomizePatches.map((p) => ({ target: { ...p.target }, patch: p.patch })) } : {}),
              },
            }
          : {}),
      };
  }
}

/** The repoURL an Application source reads, for the AppProject's sourceRepos. */
export function repoOf(gitops: GitOps, s: ApplicationSourceSpec): string {
  return s.type === 'rendered' ? gitops.repoURL : s.repoURL;
}

/** Every Application in the repository comes from here, so all share one policy. */
export function application(scope: Construct, gitops: GitOps, props: ApplicationProps) {
  return emitModel(
    scope,
    new Application({
      metadata: {
        name: props.name,
        namespace: gitops.argocdNamespace,
        labels: { ...props.labels },
        annotations: {
          [syncWaveAnnotation]: String(props.wave),
          [conventions.annotations.description]: props.description,
          ...(props.installs?.length ? { [installsAnnotation]: [...props.installs].sort().join(',') } : {}),
        },
        finalizers: [resourcesFinalizer],
      },
      spec: {
        project: props.project,
        destination: { ...props.destination },
        source: sourceOf(gitops, props.source),
        syncPolicy: syncPolicy({ serverSideApply: props.serverSideApply, keepOnDelete: props.keepOnDelete ?? false }),
      },
    }),
  );
}
