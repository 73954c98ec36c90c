import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { deployment, statefulSet, type WorkloadOptions } from '../src/index.ts';

const chart = () => new Chart(new App(), 'test');
const labels = { app: 'deck' };
const base = (pod: Partial<WorkloadOptions['pod']> = {}, extra: Partial<WorkloadOptions> = {}): WorkloadOptions => ({
  name: 'deck',
  namespace: 'ci',
  labels,
  pod: { containers: [{ name: 'deck', image: 'deck:v1', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 'http' } } }], ...pod },
  ...extra,
});
const kinds = (c: Chart) => c.toJson().map((o: { kind: string }) => o.kind);

describe('the workload construct', () => {
  it('renders the workload, its Service and, for more than one replica, a budget and a spread across nodes', () => {
    const c = chart();
    deployment(c, base({}, { replicas: 2, budget: { maxUnavailable: 1 }, service: { ports: [{ name: 'http', port: 80, targetPort: 'http' }] } }));
    const [svc, pdb, deploy] = c.toJson();
    expect(kinds(c)).toEqual(['Service', 'PodDisruptionBudget', 'Deployment']);
    expect([svc.spec.selector, svc.spec.ports, pdb.spec]).toEqual([labels, [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], { maxUnavailable: 1, selector: { matchLabels: labels } }]);
    expect(deploy.spec.template.spec.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }]);
  });

  it('refuses a mount of a volume the pod lacks, unless a StatefulSet claims it', () => {
    const mounting = base({ containers: [{ name: 'deck', image: 'deck:v1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] });
    expect(() => deployment(chart(), mounting)).toThrow('Deployment ci/deck: container deck mounts volume "data" at /data, which the pod does not have; add it to the pod\'s volumes');
    expect(() => statefulSet(chart(), { ...mounting, serviceName: 'deck', volumeClaims: [{ name: 'data', size: '1Gi' }] })).not.toThrow();
  });

  it('refuses a probe or a Service port by a name no container declares; a number need not be declared', () => {
    expect(() => deployment(chart(), base({ containers: [{ name: 'deck', image: 'deck:v1', livenessProbe: { tcpSocket: { port: 'http' } } }] }))).toThrow(
      "Deployment ci/deck: container deck's livenessProbe probes port \"http\", which it does not declare; name one of its ports",
    );
    expect(() => deployment(chart(), base({}, { service: { ports: [{ name: 'metrics', port: 9090, targetPort: 'metrics' }] } }))).toThrow('Deployment ci/deck: its Service\'s port metrics targets "metrics", which no container declares');
    expect(() => deployment(chart(), base({}, { service: { ports: [{ name: 'metrics', port: 9090, targetPort: 9090 }] } }))).not.toThrow();
  });

  it('refuses more than one replica without a disruption budget', () => {
    expect(() => deployment(chart(), base({}, { replicas: 3 }))).toThrow('Deployment ci/deck has 3 replicas and no disruption budget; give it one (budget: { maxUnavailable: 1 })');
  });
});
