import { Alertmanager } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { AlertmanagerConfig } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1';
import { containerResources, emitModel, restrictedPod } from '@kubevirt-ci/kube';
import { imageTag, type Cluster, type Versions } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import { z } from 'zod';
import { alertmanagerName, clusterLabel, labelsOf, namespace, slackSecret } from './names.ts';

export const alertmanagerValues = z
  .object({
    replicas: z.number().int().min(1).max(3).default(1),
    resources: containerResources.default({ requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } }),
    /** How long a firing alert waits before Slack hears about it again. */
    repeatInterval: z.string().regex(/^\d+[mh]$/, 'must be a duration such as 4h').default('12h'),
  })
  .strict();
export type AlertmanagerValues = z.output<typeof alertmanagerValues>;

/** The AlertmanagerConfig that is the whole of Alertmanager's configuration. */
export const routingConfig = 'slack';

/**
 * Alertmanager, routing every alert of the cluster to Slack through the webhook in a provided
 * Secret. Silences live in an emptyDir: they are short-lived by nature, and losing them on a
 * restart only means an alert is posted again.
 */
export function renderAlertmanager(scope: Construct, versions: Versions, cluster: Cluster, v: AlertmanagerValues): void {
  const labels = labelsOf('alertmanager');
  emitModel(
    scope,
    new AlertmanagerConfig({
      metadata: { name: routingConfig, namespace, labels },
      spec: {
        route: {
          receiver: 'slack',
          groupBy: ['alertname', clusterLabel],
          groupWait: '1m',
          groupInterval: '5m',
          repeatInterval: v.repeatInterval,
        },
        receivers: [
          {
            name: 'slack',
            slackConfigs: [
              {
                apiURL: { name: slackSecret.name, key: slackSecret.key },
                sendResolved: true,
                title: `[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} on ${cluster.name}`,
                text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}',
              },
            ],
          },
        ],
      },
    }),
  );
  emitModel(
    scope,
    new Alertmanager({
      metadata: { name: alertmanagerName, namespace, labels },
      spec: {
        replicas: v.replicas,
        image: versions.alertmanager,
        version: imageTag(versions.alertmanager),
        resources: v.resources,
        podMetadata: { labels },
        securityContext: restrictedPod(65534),
        alertmanagerConfiguration: { name: routingConfig },
      },
    }),
  );
}
