import { conventions } from '@kubevirt-ci/topology';
/**
 * Argo CD's finalizer that deletes an Application's resources when the Application goes, in
 * the foreground. The suffixed name (ForegroundPropagationPolicyFinalizer in
 * pkg/apis/application/v1alpha1/application_defaults.go at our Argo CD pin) acts as the bare
 * one does (controller/appcontroller.go deletes in the foreground unless it is /background),
 * and the API server does not warn of it: a finalizer name without a path draws a warning.
 */
export const resourcesFinalizer = 'resources-finalizer.argocd.argoproj.io/foreground';

export const syncWaveAnnotation = conventions.annotations.syncWave;

/**
 * The one sync policy every Application shares: git is the truth (prune, selfHeal), a
 * transient failure is retried with backoff, and an object another Application already
 * manages is a sync failure rather than a silent tug of war.
 */
export function syncPolicy(options: { serverSideApply: boolean; keepOnDelete?: boolean }) {
  return {
    automated: { prune: true, selfHeal: true },
    retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
    syncOptions: [
      'FailOnSharedResource=true',
      'PruneLast=true',
      ...(options.serverSideApply ? ['ServerSideApply=true'] : []),
      // Deleting the Application leaves every object it synced (controller/appcontroller.go
      // shouldBeDeleted at our Argo CD pin; CRDs are never deleted that way either).
      ...(options.keepOnDelete ? ['Delete=false'] : []),
    ],
  };
}
