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
  /** On each ServiceMonitor: the app whose metrics endpoint it scrapes. */
  scrapedApp: 'ci.kubevirt.io/scraped-app',
  /** The node label (and taint) of the nodes that hold the caches. */
  cacheNode: { label: 'ci.kubevirt.io/cachenode', value: 'true' },
  annotations: {
    /** Argo CD's order within a sync (its own annotation). */
    syncWave: 'argocd.argoproj.io/sync-wave',
    /** Argo CD's per-object sync options (its own annotation). */
    syncOptions: 'argocd.argoproj.io/sync-options',
    /** On an Application of a release: the custom kinds it installs, `Kind.group` comma-separated. */
    installs: 'ci.kubevirt.io/installs',
    /** On a Namespace: what it is for, and why its pod security level is below restricted. */
    purpose: 'ci.kubevirt.io/purpose',
    podSecurityReason: 'ci.kubevirt.io/pod-security-reason',
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
