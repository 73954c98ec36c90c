import { here, recordSource } from '../source.ts';

/**
 * Every pinned version in one place, so a bump is a one-line change a bot can make.
 * Upstream software is installed from these releases by Argo CD; nothing is vendored here.
 */
export const versions = recordSource(
  {
    /** The Kubernetes minor the manifests target. */
    kubernetes: '1.33',
    /**
     * The patch of that minor whose API the tests judge by: k8s.io/kubernetes at this version
     * (its api/openapi-spec) from the Go module proxy; the newest 1.33 patch the proxy serves.
     */
    kubernetesPatch: '1.33.13',
    /** github.com/argoproj/argo-cd release tag. */
    argocd: 'v3.4.2',
    /** charts.jetstack.io cert-manager chart version. */
    certManager: 'v1.19.4',
    /** greenhouse, the bazel cache (kubernetes/test-infra); only published by digest. */
    greenhouse: 'gcr.io/k8s-testimages/greenhouse@sha256:ab1a3421cc3c072a813d8543735f218ca6caa811011391a0e5b00104700e6e7b',
    /**
     * rpardini/docker-registry-proxy release tag (published to ghcr.io by its tags.yaml
     * workflow). 0.7.0 raises entrypoint.sh's proxy_ssl_verify_depth from 2 to 3 (upstream
     * issue 181, PR 182): at 0.6.2 nginx refuses Docker Hub's longer certificate chain, so
     * every pull from docker.io through the proxy failed. Every variable we set is read there.
     */
    dockerRegistryProxy: 'ghcr.io/rpardini/docker-registry-proxy:0.7.0',
    /**
     * openshift/ci-search publishes nothing but a moving :latest, so we build the commit we
     * run into quay.io/kubevirtci (.github/workflows/images.yaml) and pin that: master of
     * 2025-02-17 (#136), the newest commit whose source we could read; its image is built from
     * images/Dockerfile.search (user 1000, /usr/bin/search).
     */
    ciSearch: { repo: 'https://github.com/openshift/ci-search', commit: 'dacbb03de4ccd91da1696872f473a76de2803a23', dockerfile: 'images/Dockerfile.search' },
    /**
     * Prow (kubernetes-sigs/prow): one tag for every image it publishes (components, external
     * plugins, pod utilities), v<date>-<the first 9 characters of the commit it was built
     * from>, and that commit in full, which the ProwJob CRD is installed from so that the CRD
     * is the one the images were built with. A test holds the two together.
     */
    prow: {
      registry: 'us-docker.pkg.dev/k8s-infra-prow/images',
      tag: 'v20260519-c47e31ece',
      repo: 'https://github.com/kubernetes-sigs/prow',
      commit: 'c47e31ecedc63977a9010898d18332236481c2e8',
    },
    /**
     * label_sync is built in kubernetes/test-infra, not with Prow: production's pin
     * (project-infra github/ci/prow-deploy/kustom/base/manifests/local/label-sync-kubevirt.yaml),
     * from test-infra commit f66136c16c, whose label_sync/main.go defines the flags we pass
     * (--config, --confirm, --orgs, and Prow's GitHub App options). gcr.io/k8s-prow, the old
     * pin's registry, is retired.
     */
    labelSync: 'gcr.io/k8s-staging-test-infra/label_sync:v20260729-f66136c16c',
    /** gcsweb (kubernetes/test-infra), production's release at its registry.k8s.io home. */
    gcsweb: 'registry.k8s.io/gcsweb:v1.1.0',
    /** prometheus/pushgateway release tag. */
    pushgateway: 'quay.io/prometheus/pushgateway:v1.11.2',
    /**
     * KubeVirt's own Prow plugins (kubevirt/project-infra), published together under one tag,
     * v<commit time, minute>-<commit>: production's pin (prow-rehearse-deployment.yaml), commit
     * ca75c4e. Its rehearse runs as the GitHub App; at the old pin (82b5143, which was also
     * written in a format the image workflow never publishes) it read a token file the App
     * does not have (secret.Add(opts.github.TokenPath, ...) in external-plugins/rehearse/plugin/main.go).
     */
    kubevirtciPlugins: { registry: 'quay.io/kubevirtci', tag: 'v202607231917-ca75c4e' },
    /**
     * The monitoring stack. prometheus-operator and its CRDs are installed from the release's
     * bundle at this tag; the operator runs Prometheus and Alertmanager at the images below.
     */
    prometheusOperator: { repo: 'https://github.com/prometheus-operator/prometheus-operator', tag: 'v0.93.1' },
    prometheus: 'quay.io/prometheus/prometheus:v3.14.0',
    alertmanager: 'quay.io/prometheus/alertmanager:v0.34.0',
    /** Sidecar, query-frontend, query, store and compact all run this one image. */
    thanos: 'quay.io/thanos/thanos:v0.42.4',
    nodeExporter: 'quay.io/prometheus/node-exporter:v1.11.1',
    kubeStateMetrics: 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.19.1',
    /** Probes the exposed hosts, and reads their certificates' expiry. */
    blackboxExporter: 'quay.io/prometheus/blackbox-exporter:v0.28.0',
    /** Reports the expiry of certificate files (the docker proxy's CA). */
    x509CertificateExporter: 'docker.io/enix/x509-certificate-exporter:3.21.0',
    grafana: 'docker.io/grafana/grafana:12.4.2',
    /**
     * The smoke test (pnpm smoke): the kind release CI installs, its node image for the
     * Kubernetes minor above, and the ingress-nginx release whose kind manifest gives the
     * clusters' Ingresses an address. kind's node images are only reproducible by digest (its
     * release notes say a tag may be rebuilt); this digest is the one kind v0.30.0's release
     * notes list as "Images pre-built for this release" for v1.33.4.
     */
    smoke: { kind: 'v0.30.0', kindNode: 'kindest/node:v1.33.4@sha256:25a6018e48dfcaee478f4a59af81157a437f15e6e140bf103f85a2e7cd0cbbf2', ingressNginx: 'controller-v1.13.0' },
    /**
     * KubeVirt's job image: shell, kubectl and the CI tooling (the pod cleanup uses it).
     * Production's newest (project-infra's job configs at 2c863fd10), built at commit af3e234,
     * "update bootstrap image base to Fedora 44"; the old pin named a commit project-infra does not have.
     */
    kubevirtciBootstrap: 'quay.io/kubevirtci/bootstrap:v20260715-af3e234',
  },
  here(import.meta.url),
);

export type Versions = typeof versions;

/** The tag of an image reference (what follows the last colon). */
export function imageTag(image: string): string {
  const tag = image.slice(image.lastIndexOf(':') + 1);
  if (image.includes('@') || tag.includes('/')) throw new Error(`image "${image}" is not pinned by tag`);
  return tag;
}

/** The image we build from ci-search's pinned commit. */
export function ciSearchImage(v: Pick<Versions, 'ciSearch'> = versions): string {
  return `quay.io/kubevirtci/ci-search:${v.ciSearch.commit.slice(0, 12)}`;
}

/** An image Prow publishes, at the one Prow tag. */
export function prowImage(name: string, v: Pick<Versions, 'prow'> = versions): string {
  return `${v.prow.registry}/${name}:${v.prow.tag}`;
}

/** One of KubeVirt's own Prow plugins, at their shared tag. */
export function kubevirtciPluginImage(name: string, v: Pick<Versions, 'kubevirtciPlugins'> = versions): string {
  return `${v.kubevirtciPlugins.registry}/${name}:${v.kubevirtciPlugins.tag}`;
}
