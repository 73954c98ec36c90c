import { emitModel } from '@kubevirt-ci/kube';
import { ConfigMap } from 'kubernetes-models/v1';
import { defineApp, defineRole, defineTopology, type AppBinding, type AppDefinition, type Topology } from '@kubevirt-ci/topology';
import { ApiObject } from 'cdk8s';
import { z } from 'zod';
import { clusterSpec } from '../src/testing.ts';

/** Installs the Widget (namespaced) and Gadget (cluster-scoped) CRDs from an upstream chart. */
export const widgets = defineApp({
  name: 'widgets',
  component: 'widgets',
  description: 'installs the widget CRDs',
  values: z.object({}),
  namespaces: () => ['monitoring'],
  releases: () => [
    {
      name: 'widgets-release',
      namespace: 'monitoring',
      source: { type: 'helm', repoURL: 'https://charts.example.io', chart: 'widgets', version: '1.2.3', releaseName: 'widgets', values: { replicas: 1 } },
      installs: [
        { group: 'example.io', kind: 'Widget', scope: 'Namespaced' },
        { group: 'example.io', kind: 'Gadget', scope: 'Cluster' },
      ],
      creates: {
        cluster: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }],
        namespaced: [{ group: 'apps', kind: 'Deployment' }],
      },
      serverSideApply: true,
    },
  ],
});

/** Uses the Widget and Gadget kinds, and a core ConfigMap. */
export const dashboards = defineApp({
  name: 'dashboards',
  component: 'dashboards',
  description: 'renders widgets',
  values: z.object({ title: z.string().default('CI') }),
  namespaces: () => ['monitoring'],
  render: (scope, { values }) => {
    new ApiObject(scope, 'widget', { apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name: 'main', namespace: 'monitoring' }, spec: { title: values.title } });
    new ApiObject(scope, 'gadget', { apiVersion: 'example.io/v1', kind: 'Gadget', metadata: { name: 'global' } });
    emitModel(scope, new ConfigMap({ metadata: { name: 'settings', namespace: 'monitoring' }, data: { title: values.title } }));
  },
});

/** A one-off app whose render() is the test's own. */
export function appRendering(name: string, render: AppDefinition['render'], namespaces: readonly string[] = ['monitoring']): AppDefinition {
  return defineApp({ name, component: name, description: name, values: z.object({}), namespaces: () => namespaces, render });
}

export function topology(hubApps: AppBinding[], spokeApps: AppBinding[] = [], registry: AppDefinition[] = [widgets, dashboards]): Topology {
  return defineTopology({
    apps: registry,
    roles: [
      defineRole({ role: 'hub', description: 'the hub', hub: true, apps: hubApps, clusters: [clusterSpec('hub-1')] }),
      defineRole({ role: 'spokes', description: 'spokes', hub: false, apps: spokeApps, clusters: [clusterSpec('spoke-1')] }),
    ],
  });
}
