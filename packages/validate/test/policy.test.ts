import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkPolicy, parseManifests } from '../src/index.ts';

const goodContainer = {
  name: 'deck',
  image: 'us-docker.pkg.dev/k8s-infra-prow/images/deck:v20261101',
  ports: [{ containerPort: 8080 }],
  readinessProbe: { httpGet: { port: 8080 } },
  livenessProbe: { tcpSocket: { port: 8080 } },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
};

function deployment(container: object = {}, extra: { replicas?: number; spec?: object; annotations?: object } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'deck', namespace: 'ci', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: { app: 'deck' } },
      template: { metadata: { labels: { app: 'deck' } }, spec: { automountServiceAccountToken: false, containers: [{ ...goodContainer, ...container }], ...(extra.spec ?? {}) } },
    },
  };
}

const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'deck', namespace: 'ci' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'deck' } } } };

const run = (...objs: object[]) =>
  checkPolicy(parseManifests('m.yaml', objs.map((o) => stringify(o)).join('---\n')).objects).map((f) => [f.rule, f.severity, f.path, f.message]);

describe('checkPolicy', () => {
  it('passes a workload that follows every rule', () => {
    expect(run(deployment())).toEqual([]);
    expect(run(deployment({}, { replicas: 3, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }] } }), pdb)).toEqual([]);
  });

  const c = 'spec.template.spec.containers[0]';
  it.each([
    ['resources', { resources: { limits: { memory: '1Gi' } } }, [['policy/resources', 'error', `${c}.resources`, 'container deck sets no requests.cpu, requests.memory']]],
    ['probes', { livenessProbe: undefined }, [['policy/probes', 'error', c, 'container deck has no livenessProbe']]],
    ['non-root', { securityContext: { ...goodContainer.securityContext, runAsNonRoot: undefined } }, [['policy/non-root', 'error', `${c}.securityContext.runAsNonRoot`, 'container deck may run as root']]],
    ['privilege-escalation', { securityContext: { ...goodContainer.securityContext, allowPrivilegeEscalation: true } }, [['policy/privilege-escalation', 'error', `${c}.securityContext.allowPrivilegeEscalation`, 'container deck does not forbid privilege escalation']]],
    ['read-only-root', { securityContext: { ...goodContainer.securityContext, readOnlyRootFilesystem: false } }, [['policy/read-only-root', 'warning', `${c}.securityContext.readOnlyRootFilesystem`, 'container deck can write its root filesystem']]],
    ['privileged', { securityContext: { ...goodContainer.securityContext, privileged: true } }, [['policy/privileged', 'error', `${c}.securityContext.privileged`, 'container deck is privileged']]],
    ['image-pinned (latest)', { image: 'quay.io/kubevirtci/ci-search:latest' }, [['policy/image-pinned', 'error', `${c}.image`, 'image "quay.io/kubevirtci/ci-search:latest" is latest']]],
    ['image-pinned (no tag)', { image: 'localhost:5000/deck' }, [['policy/image-pinned', 'error', `${c}.image`, 'image "localhost:5000/deck" is not pinned to a tag']]],
    ['duplicate-env', { env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] }, [['policy/duplicate-env', 'error', `${c}.env[1]`, 'A is set twice in container deck']]],
  ])('reports %s', (_name, container, expected) => {
    expect(run(deployment(container))).toEqual(expected);
  });

  it("reports what kube-linter, kube-score and Polaris report by default: capabilities, host ports, literal secrets, unsafe sysctls", () => {
    const sc = goodContainer.securityContext;
    expect(run(deployment({ securityContext: { ...sc, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } } }))).toEqual([['policy/capabilities', 'error', `${c}.securityContext.capabilities`, 'container deck adds NET_ADMIN']]);
    expect(run(deployment({ securityContext: { ...sc, capabilities: undefined } })).map((f) => f[3])).toEqual(["container deck keeps the runtime's default capabilities (it does not drop ALL)"]);
    expect(run(deployment({ ports: [{ containerPort: 8080, hostPort: 8080 }] })).map((f) => [f[0], f[2]])).toEqual([['policy/host-port', `${c}.ports[0].hostPort`]]);
    expect(run(deployment({ env: [{ name: 'GITHUB_TOKEN', value: 'ghp_x' }, { name: 'SLACK_TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'TOKEN_PATH', value: '/etc/t' }] }))).toEqual([
      ['policy/secret-env', 'warning', `${c}.env[0].value`, 'GITHUB_TOKEN of container deck is a literal in git'],
    ]);
    const sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'kernel.msgmax', value: '65536' }];
    expect(run(deployment({}, { spec: { securityContext: { sysctls } } })).map((f) => [f[0], f[3]])).toEqual([['policy/sysctls', 'sysctl kernel.msgmax is not one Kubernetes calls safe']]);
  });

  it('reports a budget that lets no pod go, a CronJob without a deadline, RBAC wildcards and cluster-admin bindings', () => {
    const budget = (spec: object) => ({ ...pdb, spec: { ...spec, selector: { matchLabels: { app: 'deck' } } } });
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }] };
    expect(run(deployment({}, { replicas: 2, spec: spread }), budget({ minAvailable: 2 })).map((f) => [f[0], f[3]])).toEqual([['policy/budget-allows-none', "minAvailable 2 of Deployment deck's 2 replicas lets no pod be evicted"]]);
    expect(run(deployment({}, { replicas: 2, spec: spread }), budget({ maxUnavailable: 0 })).map((f) => f[0])).toEqual(['policy/budget-allows-none']);
    expect(run(deployment({}, { replicas: 3, spec: spread }), budget({ minAvailable: 2 }))).toEqual([]);
    const cron = (extra: object) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'ci' }, spec: { schedule: '0 3 * * *', ...extra, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', automountServiceAccountToken: false, containers: [goodContainer] } } } } } });
    expect(run(cron({})).map((f) => [f[0], f[1]])).toEqual([['policy/cronjob-deadline', 'warning']]);
    expect(run(cron({ startingDeadlineSeconds: 600 }))).toEqual([]);
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, { apiGroups: ['*'], resources: ['*'], verbs: ['get'] }] };
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [] };
    expect(run(role, binding).map((f) => [f[0], f[2], f[3]])).toEqual([
      ['policy/rbac-wildcard', 'rules[1]', 'rule 1 grants * in apiGroups, resources'],
      ['policy/cluster-admin', 'roleRef', 'binds cluster-admin cluster-wide'],
    ]);
  });

  it('takes a digest as pinned and a pod-level runAsNonRoot as non-root', () => {
    expect(run(deployment({ image: 'quay.io/x/y@sha256:abc', securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } }, { spec: { securityContext: { runAsNonRoot: true } } }))).toEqual([]);
  });

  it('reports hostPath volumes', () => {
    expect(run(deployment({}, { spec: { volumes: [{ name: 'cache', hostPath: { path: '/mnt/cache' } }] } }))).toEqual([
      ['policy/host-path', 'error', 'spec.template.spec.volumes[0].hostPath', 'volume cache mounts /mnt/cache from the node'],
    ]);
  });

  it('asks more than one replica for a disruption budget and spread', () => {
    expect(run(deployment({}, { replicas: 2 }))).toEqual([
      ['policy/disruption-budget', 'error', 'spec.replicas', '2 replicas and no PodDisruptionBudget selects them'],
      ['policy/spread', 'error', 'spec.template.spec.topologySpreadConstraints', '2 replicas may all land on one node'],
    ]);
  });

  it('reports liveness asking the same as readiness, timing aside', () => {
    expect(run(deployment({ livenessProbe: { httpGet: { port: 8080 }, periodSeconds: 30 } }))).toEqual([
      ['policy/identical-probes', 'warning', 'spec.template.spec.containers[0].livenessProbe', "container deck's liveness probe asks the same as its readiness probe"],
    ]);
    expect(run(deployment({ livenessProbe: { httpGet: { port: 8080, path: '/healthz' } } }))).toEqual([]);
  });

  it("reports a pod that mounts the default ServiceAccount's token", () => {
    const finding = ['policy/automount-token', 'warning', 'spec.template.spec.automountServiceAccountToken', "the pod gets the default ServiceAccount's token, though it names no account of its own to call the API as"];
    expect(run(deployment({}, { spec: { automountServiceAccountToken: undefined } }))).toEqual([finding]);
    expect(run(deployment({}, { spec: { automountServiceAccountToken: true, serviceAccountName: 'default' } }))).toEqual([finding]);
    expect(run(deployment({}, { spec: { automountServiceAccountToken: undefined, serviceAccountName: 'deck' } }))).toEqual([]);
  });

  it('reports a Secret with values', () => {
    expect(run({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ci' }, stringData: { token: 'x' } })).toEqual([['policy/secret-data', 'error', 'stringData', 'the Secret carries values, which would be in git']]);
  });

  it('does not ask Jobs for probes', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ci' }, spec: { template: { spec: { restartPolicy: 'Never', automountServiceAccountToken: false, containers: [{ ...goodContainer, readinessProbe: undefined, livenessProbe: undefined }] } } } };
    expect(run(job)).toEqual([]);
  });

  it('honours an exception that says why, and reports one that does not', () => {
    const hostPath = { spec: { volumes: [{ name: 'cache', hostPath: { path: '/mnt/cache' } }] } };
    expect(run(deployment({}, { ...hostPath, annotations: { 'policy.ci.kubevirt.io/host-path': 'greenhouse keeps its cache on the cache node disk' } }))).toEqual([]);
    expect(run(deployment({}, { ...hostPath, annotations: { 'policy.ci.kubevirt.io/host-path': ' ' } }))).toEqual([
      ['policy/exception-without-reason', 'error', 'metadata.annotations.policy.ci.kubevirt.io/host-path', 'the exception for host-path gives no reason'],
      ['policy/host-path', 'error', 'spec.template.spec.volumes[0].hostPath', 'volume cache mounts /mnt/cache from the node'],
    ]);
  });
});
