import { describe, expect, it } from 'vitest';
import { checkPolicy, checkReferences, operatedObjects, parseManifests, promqlErrors } from '../src/index.ts';

const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n---\n`;
const prometheus = (thanos: boolean) =>
  `apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: main, namespace: monitoring}\nspec:\n  podMetadata: {labels: {team: ci}}\n${thanos ? '  thanos: {image: thanos}\n' : ''}---\n`;
const service = (selector: string, ports: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: sidecar, namespace: monitoring}\nspec:\n  selector: ${selector}\n  ports: ${ports}\n---\n`;
const monitor = (selector: string, namespaces: string, port: string) =>
  `apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m, namespace: monitoring}\nspec:\n  selector: {matchLabels: ${selector}}\n  namespaceSelector: {matchNames: ${namespaces}}\n  endpoints: [{port: ${port}}]\n---\n`;
const operatorApp =
  'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: po, namespace: argocd, annotations: {ci.kubevirt.io/installs: "Prometheus.monitoring.coreos.com,ServiceMonitor.monitoring.coreos.com"}}\nspec: {}\n---\n';

const run = (text: string) => checkReferences(parseManifests('m.yaml', text).objects).map((f) => [f.rule, f.path, f.message]);

describe('what prometheus-operator creates', () => {
  it("stands in for Prometheus's pods and governing Service, the sidecar's ports only with a sidecar", () => {
    const objs = operatedObjects(parseManifests('m.yaml', prometheus(true)).objects).map((o) => o.value as any);
    expect(objs.map((o) => [o.kind, o.metadata.namespace, o.metadata.name])).toEqual([
      ['StatefulSet', 'monitoring', 'prometheus-main'],
      ['Service', 'monitoring', 'prometheus-operated'],
    ]);
    expect(objs[0].spec.template.metadata.labels).toEqual({ team: 'ci', 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'main', 'app.kubernetes.io/managed-by': 'prometheus-operator', prometheus: 'main' });
    expect(objs[1].spec.ports.map((p: any) => p.name)).toEqual(['web', 'grpc']);
    expect(operatedObjects(parseManifests('m.yaml', prometheus(false)).objects)[1]!.value['spec']).toMatchObject({ ports: [{ name: 'web' }] });
  });

  it('lets a Service select the sidecar by the labels and port names the operator gives it, and catches a wrong port', () => {
    const base = ns('monitoring') + prometheus(true);
    expect(run(base + service('{app.kubernetes.io/name: prometheus, app.kubernetes.io/instance: main}', '[{name: grpc, port: 10901, targetPort: grpc}]'))).toEqual([]);
    expect(run(base + service('{app.kubernetes.io/name: prometheus}', '[{name: grpc, port: 10901, targetPort: grpcs}]'))).toEqual([
      ['cross/service-port', 'spec.ports[0].targetPort', 'no selected pod declares port "grpcs"'],
    ]);
    // Without the sidecar there is no grpc port to target.
    expect(run(ns('monitoring') + prometheus(false) + service('{app.kubernetes.io/name: prometheus}', '[{name: grpc, port: 10901, targetPort: grpc}]'))).toEqual([
      ['cross/service-port', 'spec.ports[0].targetPort', 'no selected pod declares port "grpc"'],
    ]);
  });

  it('knows the kubelet Service only where the operator is installed', () => {
    const kubelet = monitor('{app.kubernetes.io/name: kubelet}', '[kube-system]', 'https-metrics');
    expect(run(ns('monitoring') + operatorApp + kubelet)).toEqual([]);
    expect(run(ns('monitoring') + kubelet)).toEqual([['cross/servicemonitor-selector', 'spec.selector', 'the selector matches no Service in the namespaces it watches']]);
    expect(run(ns('monitoring') + operatorApp + monitor('{app.kubernetes.io/name: kubelet}', '[kube-system]', 'metrics'))).toEqual([
      ['cross/servicemonitor-port', 'spec.endpoints[0].port', 'no selected Service has a port named metrics'],
    ]);
  });
});

describe('PromQL', () => {
  it('accepts what Prometheus evaluates', () => {
    for (const expr of ['rate(x[5m]) > 0', 'sum by (a) (x) / on() y', 'absent(up{job="a"} == 1)', 'quantile_over_time(0.9, x[5m])', 'max_over_time(x[5m:1m])', 'x - time() < 2592000']) {
      expect([expr, promqlErrors(expr)]).toEqual([expr, []]);
    }
  });

  it('reports the first syntax error, unknown functions, and range functions given an instant vector', () => {
    expect(promqlErrors('up ==').map((e) => e.message)).toEqual(['does not parse at offset 5: "up =="']);
    expect(promqlErrors('rate_of(x[5m])').map((e) => e.at)).toEqual([7]);
    expect(promqlErrors('increase(x) > 0').map((e) => e.message)).toEqual(['increase() needs a range vector such as x[5m], not "x"']);
    expect(promqlErrors('quantile_over_time(0.5, x)').map((e) => e.message)).toEqual(['quantile_over_time() needs a range vector such as x[5m], not "x"']);
  });

  it('checks every rule of a PrometheusRule, naming the alert', () => {
    const rule = `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r, namespace: monitoring}\nspec:\n  groups:\n    - name: g\n      rules:\n        - {alert: Fine, expr: 'up == 0'}\n        - {alert: Broken, expr: 'rate(up)'}\n        - {record: 'job:up', expr: 'sum(up'}\n`;
    expect(run(ns('monitoring') + rule)).toEqual([
      ['cross/promql', 'spec.groups[0].rules[1].expr', 'Broken: rate() needs a range vector such as x[5m], not "up"'],
      ['cross/promql', 'spec.groups[0].rules[2].expr', 'job:up: does not parse at offset 6: "sum(up"'],
    ]);
  });
});

describe('Probes', () => {
  const probe = (url: string) => `apiVersion: monitoring.coreos.com/v1\nkind: Probe\nmetadata: {name: p, namespace: monitoring}\nspec:\n  prober: {url: '${url}'}\n---\n`;
  const bb = 'apiVersion: v1\nkind: Service\nmetadata: {name: blackbox, namespace: monitoring}\nspec:\n  ports: [{name: http, port: 9115}]\n---\n';
  it('need their in-cluster prober to be a rendered Service with that port', () => {
    expect(run(ns('monitoring') + bb + probe('blackbox.monitoring.svc:9115'))).toEqual([]);
    expect(run(ns('monitoring') + bb + probe('blackbox.monitoring.svc:9116'))).toEqual([['cross/probe-prober', 'spec.prober.url', 'Service monitoring/blackbox has no port 9116']]);
    expect(run(ns('monitoring') + probe('blackbox.monitoring.svc:9115'))).toEqual([['cross/probe-prober', 'spec.prober.url', 'Service monitoring/blackbox is not rendered']]);
    expect(run(ns('monitoring') + probe('prober.example.com:9115'))).toEqual([]);
  });
});

describe('host namespaces', () => {
  const ds = (annotation: string) =>
    `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ne, namespace: monitoring${annotation}}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      hostNetwork: true\n      hostPID: true\n      automountServiceAccountToken: false\n      securityContext: {runAsNonRoot: true}\n      containers:\n        - name: ne\n          image: ne:v1\n          resources: {requests: {cpu: 1m, memory: 1Mi}, limits: {memory: 1Mi}}\n          readinessProbe: {tcpSocket: {port: 1}}\n          livenessProbe: {tcpSocket: {port: 2}}\n          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n`;
  it('are refused unless an exception says why', () => {
    expect(checkPolicy(parseManifests('m.yaml', ds('')).objects).map((f) => [f.rule, f.path, f.message])).toEqual([
      ['policy/host-namespaces', 'spec.template.spec.hostNetwork', "the pod shares the node's network namespace"],
      ['policy/host-namespaces', 'spec.template.spec.hostPID', "the pod shares the node's PID namespace"],
    ]);
    expect(checkPolicy(parseManifests('m.yaml', ds(', annotations: {policy.ci.kubevirt.io/host-namespaces: "reports on the host"}')).objects)).toEqual([]);
  });
});
