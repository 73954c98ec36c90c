import { conventions, get, isObj, str } from '@kubevirt-ci/kube/read';
import type { ParsedObject } from './parse.ts';

/** Where an object the operator creates is said to come from, in findings and indexes. */
export const operatedFile = '(created by prometheus-operator)';

const port = (name: string, containerPort: number, protocol = 'TCP') => ({ name, containerPort, protocol });
const servicePort = (name: string, p: number, protocol = 'TCP') => ({ name, port: p, targetPort: name, protocol });

function implied(value: Record<string, unknown>): ParsedObject {
  return { file: operatedFile, line: 0, value };
}

function operatedSet(kind: 'prometheus' | 'alertmanager', name: string, namespace: string, extraLabels: unknown, containers: unknown[]): ParsedObject {
  const labels = {
    ...(isObj(extraLabels) ? (extraLabels as Record<string, string>) : {}),
    'app.kubernetes.io/name': kind,
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/managed-by': 'prometheus-operator',
    [kind]: name,
  };
  return implied({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: `${kind}-${name}`, namespace },
    spec: { selector: { matchLabels: { 'app.kubernetes.io/name': kind, [kind]: name } }, template: { metadata: { labels }, spec: { containers } } },
  });
}

/**
 * What prometheus-operator creates at run time from the objects of a cluster: the StatefulSet
 * of each Prometheus and Alertmanager (their pods' labels and ports) with its governing
 * Service, and, where the operator's release is installed, the kube-system/kubelet Service it
 * keeps. The cross-resource stage resolves references against these as if they were rendered,
 * so a Service or ServiceMonitor aimed at Prometheus's pods is checked, not waved through.
 */
export function operatedObjects(objects: readonly ParsedObject[]): ParsedObject[] {
  const out: ParsedObject[] = [];
  const governing = new Map<string, ParsedObject>();
  const addGoverning = (ns: string, name: string, labels: Record<string, string>, selector: Record<string, string>, ports: unknown[]) => {
    const key = `${ns}/${name}`;
    const existing = governing.get(key);
    if (existing) {
      const spec = existing.value['spec'] as { ports: { name: string }[] };
      for (const p of ports as { name: string }[]) if (!spec.ports.some((q) => q.name === p.name)) spec.ports.push(p);
      return;
    }
    const svc = implied({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels }, spec: { clusterIP: 'None', selector, ports: [...ports] } });
    governing.set(key, svc);
    out.push(svc);
  };
  for (const o of objects) {
    const v = o.value;
    if (!String(v['apiVersion']).startsWith('monitoring.coreos.com/')) continue;
    const name = str(get(v, 'metadata', 'name'));
    const ns = str(get(v, 'metadata', 'namespace'));
    if (!name || !ns) continue;
    const podLabels = get(v, 'spec', 'podMetadata', 'labels');
    if (v['kind'] === 'Prometheus') {
      const thanos = isObj(get(v, 'spec', 'thanos'));
      const containers = [
        { name: 'prometheus', ports: [port('web', 9090)] },
        { name: 'config-reloader', ports: [port('reloader-web', 8080)] },
        ...(thanos ? [{ name: 'thanos-sidecar', ports: [port('http', 10902), port('grpc', 10901)] }] : []),
      ];
      out.push(operatedSet('prometheus', name, ns, podLabels, containers));
      addGoverning(ns, 'prometheus-operated', { 'operated-prometheus': 'true' }, { 'app.kubernetes.io/name': 'prometheus' }, [servicePort('web', 9090), ...(thanos ? [servicePort('grpc', 10901)] : [])]);
    } else if (v['kind'] === 'Alertmanager') {
      const containers = [
        { name: 'alertmanager', ports: [port('web', 9093), port('mesh-tcp', 9094), port('mesh-udp', 9094, 'UDP')] },
        { name: 'config-reloader', ports: [port('reloader-web', 8080)] },
      ];
      out.push(operatedSet('alertmanager', name, ns, podLabels, containers));
      addGoverning(ns, 'alertmanager-operated', { 'operated-alertmanager': 'true' }, { 'app.kubernetes.io/name': 'alertmanager' }, [
        servicePort('web', 9093),
        servicePort('tcp-mesh', 9094),
        servicePort('udp-mesh', 9094, 'UDP'),
      ]);
    }
  }
  const operatorInstalled = objects.some(
    (o) => o.value['kind'] === 'Application' && (str(get(o.value, 'metadata', 'annotations', conventions.annotations.installs)) ?? '').split(',').includes('Prometheus.monitoring.coreos.com'),
  );
  if (operatorInstalled) {
    out.push(
      implied({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubelet', namespace: 'kube-system', labels: { 'app.kubernetes.io/name': 'kubelet', 'k8s-app': 'kubelet', 'app.kubernetes.io/managed-by': 'prometheus-operator' } },
        spec: { clusterIP: 'None', ports: [{ name: 'https-metrics', port: 10250 }, { name: 'http-metrics', port: 10255 }, { name: 'cadvisor', port: 4194 }] },
      }),
    );
  }
  return out;
}
