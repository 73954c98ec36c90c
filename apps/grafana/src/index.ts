import { namespace } from '@kubevirt-ci/app-prometheus';
import { app as thanosApp, queryFrontendService } from '@kubevirt-ci/app-thanos';
import { componentLabels, configHash, configHashAnnotation, containerResources, deployment, emitModel, exposedIngress, kindResources, restrictedPod, service } from '@kubevirt-ci/kube';
import { defineApp, exposedService, serviceUrl, type ProvidedObject } from '@kubevirt-ci/topology';
import type { IEnvVar } from 'kubernetes-models/v1';
import { ConfigMap } from 'kubernetes-models/v1';
import { stringify } from 'yaml';
import { z } from 'zod';
import { dashboardJson, dashboards } from './dashboards.ts';

export { dashboardJson, dashboards, type Dashboard, type Panel } from './dashboards.ts';

const name = 'grafana';

/** The one datasource every dashboard queries: Thanos query-frontend, so every cluster at once. */
export const datasource = { name: 'Thanos', type: 'prometheus', uid: 'thanos' } as const;

/** Secrets from the bundle: the admin account, and the GitHub OAuth app people log in with. */
export const grafanaSecrets = {
  admin: { name: 'grafana-admin', keys: ['admin-user', 'admin-password'] },
  oauth: { name: 'grafana-github-oauth', keys: ['client-id', 'client-secret'] },
} as const;

export const provisioning = { configMap: 'grafana-provisioning', datasources: 'datasources.yaml', providers: 'dashboards.yaml' } as const;
export const dashboardsConfigMap = 'grafana-dashboards';

const values = z
  .object({
    resources: containerResources.default({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } }),
  })
  .strict();

const fromSecret = (env: string, secret: string, key: string): IEnvVar => ({ name: env, valueFrom: { secretKeyRef: { name: secret, key } } });

/** Grafana's provisioning files: the datasource, and where the dashboards' files are. */
export function provisioningData(): Record<string, string> {
  return {
    [provisioning.datasources]: stringify({
      apiVersion: 1,
      datasources: [
        {
          name: datasource.name,
          uid: datasource.uid,
          type: datasource.type,
          access: 'proxy',
          url: serviceUrl(queryFrontendService),
          isDefault: true,
          editable: false,
          jsonData: { timeInterval: '30s' },
        },
      ],
    }),
    [provisioning.providers]: stringify({
      apiVersion: 1,
      providers: [{ name: 'kubevirt-ci', folder: 'KubeVirt CI', type: 'file', disableDeletion: true, allowUiUpdates: false, updateIntervalSeconds: 60, options: { path: '/etc/grafana/dashboards' } }],
    }),
  };
}

export const app = defineApp({
  name,
  component: 'Grafana',
  description: "dashboards over every cluster's metrics, for anyone in the GitHub org",
  values,
  kindValues: { resources: kindResources() },
  requires: [thanosApp.name, 'cert-manager'],

  namespaces: () => [namespace],

  render: (scope, { topology, cluster, values: v }) => {
    const exposed = exposedService(topology, name);
    const labels = componentLabels(name, name);
    const provisioned = provisioningData();
    const boards = Object.fromEntries(dashboards.map((d) => [`${d.uid}.json`, `${JSON.stringify(dashboardJson(d, datasource), null, 2)}\n`]));
    emitModel(scope, new ConfigMap({ metadata: { name: provisioning.configMap, namespace, labels }, data: provisioned }));
    emitModel(scope, new ConfigMap({ metadata: { name: dashboardsConfigMap, namespace, labels }, data: boards }));
    const github = topology.external.github.org;
    deployment(scope, {
      name,
      namespace,
      labels,
      // Dashboards are re-read from their mounted files; the datasource only at start.
      podAnnotations: { [configHashAnnotation]: configHash([provisioning.configMap], new Map([[provisioning.configMap, provisioned]]))! },
      pod: {
        // Grafana's image runs as uid 472.
        securityContext: restrictedPod(472),
        containers: [
          {
            name,
            image: topology.versions.grafana,
            env: [
              { name: 'GF_SERVER_HTTP_PORT', value: String(exposed.port) },
              { name: 'GF_SERVER_ROOT_URL', value: `https://${exposed.host}/` },
              { name: 'GF_PATHS_DATA', value: '/var/lib/grafana' },
              { name: 'GF_PATHS_PROVISIONING', value: '/etc/grafana/provisioning' },
              { name: 'GF_SECURITY_COOKIE_SECURE', value: 'true' },
              fromSecret('GF_SECURITY_ADMIN_USER', grafanaSecrets.admin.name, 'admin-user'),
              fromSecret('GF_SECURITY_ADMIN_PASSWORD', grafanaSecrets.admin.name, 'admin-password'),
              { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'false' },
              { name: 'GF_USERS_ALLOW_SIGN_UP', value: 'false' },
              { name: 'GF_USERS_AUTO_ASSIGN_ORG_ROLE', value: 'Viewer' },
              { name: 'GF_AUTH_GITHUB_ENABLED', value: 'true' },
              { name: 'GF_AUTH_GITHUB_ALLOW_SIGN_UP', value: 'true' },
              fromSecret('GF_AUTH_GITHUB_CLIENT_ID', grafanaSecrets.oauth.name, 'client-id'),
              fromSecret('GF_AUTH_GITHUB_CLIENT_SECRET', grafanaSecrets.oauth.name, 'client-secret'),
              { name: 'GF_AUTH_GITHUB_SCOPES', value: 'user:email,read:org' },
              { name: 'GF_AUTH_GITHUB_ALLOWED_ORGANIZATIONS', value: github },
              // Everyone in the org reads; nobody edits what is provisioned from git.
              { name: 'GF_AUTH_GITHUB_ROLE_ATTRIBUTE_PATH', value: "'Viewer'" },
              { name: 'GF_ANALYTICS_REPORTING_ENABLED', value: 'false' },
              { name: 'GF_ANALYTICS_CHECK_FOR_UPDATES', value: 'false' },
            ],
            ports: [{ name: 'http', containerPort: exposed.port }],
            readinessProbe: { httpGet: { port: 'http', path: '/api/health' }, periodSeconds: 10 },
            // Alive while it listens; /api/health also asks its database, which is readiness.
            livenessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 30, periodSeconds: 30, failureThreshold: 4 },
            resources: v.resources,
            volumeMounts: [
              { name: 'provisioning', mountPath: '/etc/grafana/provisioning', readOnly: true },
              { name: 'dashboards', mountPath: '/etc/grafana/dashboards', readOnly: true },
              { name: 'data', mountPath: '/var/lib/grafana' },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          },
        ],
        volumes: [
          {
            name: 'provisioning',
            configMap: {
              name: provisioning.configMap,
              items: [
                { key: provisioning.datasources, path: `datasources/${provisioning.datasources}` },
                { key: provisioning.providers, path: `dashboards/${provisioning.providers}` },
              ],
            },
          },
          { name: 'dashboards', configMap: { name: dashboardsConfigMap } },
          // Users come back through GitHub and everything else is provisioned from git, so
          // Grafana's own database holds nothing worth a volume.
          { name: 'data', emptyDir: {} },
          { name: 'tmp', emptyDir: {} },
        ],
      },
    });
    service(scope, { name: exposed.service, namespace, labels, selector: labels, ports: [{ name: 'http', port: exposed.port, targetPort: 'http' }] });
    exposedIngress(scope, cluster, name, exposed);
  },

  metrics: () => [{ name, namespace, selector: componentLabels(name, name), port: 'http', description: 'Grafana' }],

  provided: () =>
    [
      { ...grafanaSecrets.admin, description: "Grafana's admin account" },
      { ...grafanaSecrets.oauth, description: 'the GitHub OAuth app users log in to Grafana with' },
    ].map((s): ProvidedObject => ({ kind: 'Secret', namespace, name: s.name, keys: [...s.keys], description: s.description })),
});
