import { here, recordSource } from '../source.ts';

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export interface NamespaceSpec {
  /** What lives there, in a sentence. */
  readonly purpose: string;
  /** The Pod Security Admission level enforced on the namespace. */
  readonly podSecurity: PodSecurityLevel;
  /** Why the level is below 'restricted'; required when it is. */
  readonly podSecurityReason?: string;
}

/** Every namespace any cluster creates. Apps name these; they never invent their own. */
export const namespaces = recordSource(
  {
    argocd: {
      purpose: 'Argo CD, which syncs every cluster from this repository',
      podSecurity: 'baseline',
      podSecurityReason: 'upstream Argo CD manifests; their pod specs are not ours to tighten',
    },
    'cert-manager': {
      purpose: 'cert-manager, which issues the TLS certificates of the exposed services',
      podSecurity: 'baseline',
      podSecurityReason: 'upstream cert-manager chart; its pod specs are not ours to tighten',
    },
    'kubevirt-prow': {
      purpose: 'Prow services (deck, hook, tide, crier, ...)',
      podSecurity: 'restricted',
    },
    'kubevirt-prow-jobs': {
      purpose: 'ProwJobs and the test pods they run',
      podSecurity: 'privileged',
      podSecurityReason: 'e2e jobs start KubeVirtCI clusters inside privileged pods',
    },
    'docker-proxy': {
      purpose: 'the docker proxy, which caches container images for jobs',
      podSecurity: 'baseline',
      podSecurityReason: "docker-registry-proxy's entrypoint runs as root: it writes its nginx config and generated certificates inside the image",
    },
    monitoring: {
      purpose: 'Prometheus, Thanos, node-exporter and Grafana',
      podSecurity: 'privileged',
      podSecurityReason: "node-exporter reads the host's /proc and /sys with hostPID and hostNetwork",
    },
    'ci-search': {
      purpose: 'ci-search, which indexes CI build logs',
      podSecurity: 'restricted',
    },
  } satisfies Record<string, NamespaceSpec>,
  here(import.meta.url),
);

export type NamespaceName = keyof typeof namespaces;

/** Where ProwJobs and their test pods run, on every build cluster (Prow's prowjob_namespace and pod_namespace). */
export const jobsNamespace = 'kubevirt-prow-jobs' satisfies NamespaceName;

/** Where Prow's services run; KubeVirtCI and job scripts also expect the caches' Services here. */
export const prowNamespace = 'kubevirt-prow' satisfies NamespaceName;
