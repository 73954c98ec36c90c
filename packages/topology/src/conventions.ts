/**
 * The marks this repository puts on what it renders and creates, declared once: every
 * label key and value, annotation and project name that code elsewhere writes or reads.
 */
export const conventions = {
  /** On everything of ours: app.kubernetes.io/part-of=kubevirt-ci. */
  partOf: { key: 'app.kubernetes.io/part-of', value: 'kubevirt-ci' },
  /** On each Application: which cluster, role and app it deploys. */
  labels: { cluster: 'ci.kubevirt.io/cluster', role: 'ci.kubevirt.io/role', app: 'ci.kubevirt.io/app' },
  /** Who created an object outside git. */
  managedBy: { key: 'app.kubernetes.io/managed-by', bootstrap: 'kubevirt-ci-bootstrap', secrets: 'kubevirt-ci-secrets' },
  annotations: {
    /** Argo CD's order within a sync (its own annotation). */
    syncWave: 'argocd.argoproj.io/sync-wave',
    /** An Application's one-line description, for people. */
    description: 'ci.kubevirt.io/description',
    /** The digest of the ConfigMaps a pod mounts, so a change rolls it. */
    configHash: 'ci.kubevirt.io/config-hash',
    /** `policy.ci.kubevirt.io/<rule>: <why>`: an exception to a policy rule, with its reason. */
    policyExceptionPrefix: 'policy.ci.kubevirt.io/',
  },
  /** The AppProject every cluster's root Application belongs to. */
  rootsProject: 'kubevirt-ci-roots',
} as const;
