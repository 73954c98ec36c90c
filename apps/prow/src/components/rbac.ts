import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1';

export function prowjobs(...verbs: string[]): IPolicyRule {
  return { apiGroups: ['prow.k8s.io'], resources: ['prowjobs'], verbs };
}

export function core(resources: string[], ...verbs: string[]): IPolicyRule {
  return { apiGroups: [''], resources, verbs };
}

/**
 * What a controller needs to hold its leader lock: create the lock objects (create cannot be
 * limited to a name), read and renew only its own, and record events. Prow keeps the locks
 * in the ProwJob namespace.
 */
export function leaderElection(lock: string): IPolicyRule[] {
  return [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [lock], verbs: ['get', 'update'] },
    core(['configmaps'], 'create'),
    { apiGroups: [''], resources: ['configmaps'], resourceNames: [lock], verbs: ['get', 'update'] },
    core(['events'], 'create', 'patch'),
  ];
}
