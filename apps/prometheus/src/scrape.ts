import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { emitModel } from '@kubevirt-ci/kube';
import { conventions, type MetricsEndpoint } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import { labelsOf, namespace } from './names.ts';

/**
 * The Service prometheus-operator keeps in kube-system with an endpoint per node's kubelet
 * (its --kubelet-service flag), and the labels and port it carries.
 */
export const kubeletService = {
  namespace: 'kube-system',
  name: 'kubelet',
  selector: { 'app.kubernetes.io/name': 'kubelet' },
  port: 'https-metrics',
} as const;

/** One ServiceMonitor per declared endpoint, all in the monitoring namespace. */
export function renderServiceMonitors(scope: Construct, endpoints: readonly (MetricsEndpoint & { app: string })[]): void {
  const seen = new Map<string, string>();
  for (const e of endpoints) {
    const other = seen.get(e.name);
    if (other) throw new Error(`apps "${other}" and "${e.app}" both declare a metrics endpoint named "${e.name}"; give one of them another name`);
    seen.set(e.name, e.app);
    emitModel(
      scope,
      new ServiceMonitor({
        metadata: { name: e.name, namespace, labels: { ...labelsOf(e.name), [conventions.scrapedApp]: e.app } },
        spec: {
          selector: { matchLabels: { ...e.selector } },
          namespaceSelector: { matchNames: [e.namespace] },
          endpoints: [
            {
              port: e.port,
              ...(e.path ? { path: e.path } : {}),
              ...(e.honorLabels ? { honorLabels: true } : {}),
              // A node's metrics are named after the node, not the pod's address.
              ...(e.nodeLabel ? { relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }] } : {}),
            },
          ],
        },
      }),
    );
  }
}

/** The kubelets' own metrics: volume usage of every claim (kubelet_volume_stats_*) above all. */
export function renderKubeletMonitor(scope: Construct): void {
  emitModel(
    scope,
    new ServiceMonitor({
      metadata: {
        name: 'kubelet',
        namespace,
        labels: labelsOf('kubelet'),
      },
      spec: {
        selector: { matchLabels: { ...kubeletService.selector } },
        namespaceSelector: { matchNames: [kubeletService.namespace] },
        endpoints: [
          {
            port: kubeletService.port,
            scheme: 'https',
            // The kubelets' serving certificates are signed by each node, not a CA we hold.
            tlsConfig: { insecureSkipVerify: true },
            bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
            honorLabels: true,
            relabelings: [{ sourceLabels: ['__meta_kubernetes_endpoint_address_target_name'], targetLabel: 'node', action: 'replace' }],
          },
        ],
      },
    }),
  );
}
