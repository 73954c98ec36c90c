import { app as certManager } from '@kubevirt-ci/app-cert-manager';
import { render } from '@kubevirt-ci/synth';
import { clusterSpec, objectsOf, problemsFrom } from '@kubevirt-ci/synth/testing';
import { defineRole, defineTopology, enable, facts } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { app } from '../src/index.ts';

function renderWith(spec = clusterSpec('hub-1', { exposes: ['ci-search'], ingressClassName: 'nginx' }), topologyFacts = {}) {
  const role = defineRole({ role: 'hub', description: 'h', hub: true, apps: [enable(certManager), enable(app)], clusters: [spec] });
  return render(defineTopology({ apps: [certManager, app], roles: [role], ...topologyFacts }));
}

const find = (objects: readonly any[], kind: string) => objects.filter((o) => o.kind === kind);

describe('the ci-search app', () => {
  const objects = objectsOf(renderWith(), 'hub-1', 'ci-search') as any[];
  const sts = find(objects, 'StatefulSet')[0];
  const pod = sts.spec.template.spec;

  it('indexes the Prow bucket and links to deck, both taken from the topology', () => {
    expect(pod.containers[0].args).toEqual([
      '--path=/var/lib/ci-search/',
      '--listen=:8080',
      '--interval=10m',
      '--max-age=672h',
      '--deck-uri=https://prow.ci.kubevirt.io/',
      '--job-uri-prefix=https://prow.ci.kubevirt.io/view/gs/',
      '--index-bucket=kubevirt-prow',
    ]);
    const moved = renderWith(undefined, { exposedServices: { ...facts.exposedServices, deck: { ...facts.exposedServices.deck, host: 'deck.example.org' } } });
    expect(find(objectsOf(moved, 'hub-1', 'ci-search'), 'StatefulSet')[0].spec.template.spec.containers[0].args[4]).toBe('--deck-uri=https://deck.example.org/');
  });

  // A weak check: the Go module proxy does not serve github.com/openshift/ci-search, so its own
  // flag set cannot parse these. The names are those cmd/search/main.go defines at
  // versions.ciSearch.commit (dacbb03). The 2019 commit pinned before (27e6d66) defined only
  // path, listen, max-age, interval, config, gcp-service-account, job-uri-prefix and deck-uri,
  // so --index-bucket would have stopped it; --jira-endpoint is defined at neither (dacbb03's
  // Jira flags are --jira-url, --jira-token-file and --jira-search).
  it('passes only flags cmd/search/main.go defines at the pinned commit', () => {
    const defined = ['path', 'listen', 'debug-listen', 'v', 'max-age', 'interval', 'config', 'gcp-service-account', 'job-uri-prefix', 'artifact-uri-prefix', 'deck-uri', 'index-bucket', 'metric-db', 'metric-max-age', 'bugzilla-url', 'bugzilla-token-file', 'bugzilla-search', 'jira-url', 'jira-token-file', 'jira-search', 'disable-indexing'];
    const passed = (pod.containers[0].args as string[]).map((a) => /^--([^=]+)/.exec(a)![1]);
    expect(passed.filter((f) => !defined.includes(f!))).toEqual([]);
    expect(passed).toHaveLength(7);
  });

  it('runs two pinned replicas, each with its own 50Gi volume owned through fsGroup 1000', () => {
    expect(sts.spec.replicas).toBe(2);
    expect(pod.containers[0].image).toBe('quay.io/kubevirtci/ci-search:dacbb03de4cc');
    expect(sts.spec.volumeClaimTemplates).toEqual([{ metadata: { name: 'index' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } }]);
    expect(pod.securityContext).toMatchObject({ runAsUser: 1000, fsGroup: 1000, runAsNonRoot: true });
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '3Gi' }, limits: { memory: '8Gi' } });
  });

  it('keeps one replica up through disruptions, spread across nodes', () => {
    expect(find(objects, 'PodDisruptionBudget')[0].spec).toEqual({ minAvailable: 1, selector: { matchLabels: sts.spec.selector.matchLabels } });
    expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', maxSkew: 1 });
  });

  it('serves search.ci.kubevirt.io over TLS from the certificate cert-manager issues', () => {
    expect(find(objects, 'Service')[0].spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(find(objects, 'Ingress')[0].spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['search.ci.kubevirt.io'], secretName: 'ci-search-tls' }],
      rules: [{ host: 'search.ci.kubevirt.io', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'ci-search', port: { number: 80 } } } }] } }],
    });
  });

  it('refuses a cluster that does not expose ci-search', () => {
    const [problem] = problemsFrom(() => renderWith(clusterSpec('hub-1')));
    expect([problem!.field, problem!.message]).toEqual(['render()', 'cluster "hub-1" does not expose "ci-search"; add it to the cluster\'s exposes, or do not render its Ingress there']);
  });
});
