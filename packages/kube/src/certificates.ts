import type { MetricsEndpoint, Versions } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import { componentLabels } from './security.ts';
import { deployment, service } from './workload.ts';

/** The port the certificate exporter serves x509_cert_not_after on. */
export const certificateMetricsPort = { name: 'cert-metrics', port: 9793 } as const;

export interface CertificateFile {
  /** Names the exporter's Deployment and Service. */
  readonly name: string;
  readonly namespace: string;
  /** The labels of whatever owns the certificate; the exporter adds its own component. */
  readonly app: string;
  /** A ConfigMap in the namespace, and the key holding the PEM certificate. */
  readonly configMap: string;
  readonly key: string;
}

/**
 * Reports the expiry of a certificate kept in a ConfigMap (x509_cert_not_after), so an alert
 * can fire weeks before it expires: the docker proxy's CA once expired unnoticed and broke
 * most e2e jobs. A pod can only mount ConfigMaps of its own namespace, so it runs next to the
 * certificate, with no API access at all. `certificateExporterMetrics()` is its scrape target.
 */
export function certificateExporter(scope: Construct, versions: Pick<Versions, 'x509CertificateExporter'>, c: CertificateFile): void {
  const labels = componentLabels(c.app, c.name);
  const dir = '/certificates';
  deployment(scope, {
    name: c.name,
    namespace: c.namespace,
    labels,
    pod: {
      containers: [
        {
          name: 'exporter',
          image: versions.x509CertificateExporter,
          args: [`--watch-file=${dir}/${c.key}`, `--listen-address=:${certificateMetricsPort.port}`],
          ports: [{ name: certificateMetricsPort.name, containerPort: certificateMetricsPort.port }],
          // Ready once it serves its metrics (where Prometheus scrapes it); alive while it listens.
          readinessProbe: { httpGet: { port: certificateMetricsPort.name, path: '/metrics' }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: certificateMetricsPort.name }, initialDelaySeconds: 10, periodSeconds: 30 },
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
          volumeMounts: [{ name: 'certificate', mountPath: dir, readOnly: true }],
        },
      ],
      volumes: [{ name: 'certificate', configMap: { name: c.configMap, items: [{ key: c.key, path: c.key }] } }],
    },
  });
  service(scope, { name: c.name, namespace: c.namespace, labels, selector: labels, ports: [{ name: certificateMetricsPort.name, port: certificateMetricsPort.port, targetPort: certificateMetricsPort.name }] });
}

/** Where the certificate exporter's Service serves its metrics, for the app's `metrics()`. */
export function certificateExporterMetrics(c: CertificateFile, description: string): MetricsEndpoint {
  return { name: c.name, namespace: c.namespace, selector: componentLabels(c.app, c.name), port: certificateMetricsPort.name, description };
}
