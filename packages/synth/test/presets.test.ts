import { emitModel } from '@kubevirt-ci/kube';
import { Service } from 'kubernetes-models/v1';
import { defineApp, defineRole, defineTopology, enable, jobsNamespace, prowBuildCluster, type AppBinding, type JobPreset } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { render } from '../src/render.ts';
import { presetsOf } from '../src/presets.ts';
import { clusterSpec, jobsNamespaceApp, problemsFrom } from '../src/testing.ts';

const here = 'packages/synth/test/presets.test.ts';

/** A cache app: a Service 'cache' on port 8080 in the jobs namespace, and a preset pointing at it; its cluster runs jobs. */
function cacheApp(opts: { port?: number; renderService?: boolean; label?: string; mounts?: string } = {}) {
  const preset = (url: string): JobPreset => ({
    label: opts.label ?? 'preset-cache',
    description: 'points jobs at the cache',
    env: [{ name: 'CACHE', value: url }],
    volumes: opts.mounts ? [{ name: 'conf', configMap: { name: opts.mounts } }] : [],
    volumeMounts: opts.mounts ? [{ name: 'conf', mountPath: '/etc/conf' }] : [],
    services: [{ namespace: jobsNamespace, name: 'cache', port: opts.port ?? 8080 }],
  });
  return defineApp({
    name: 'cache',
    component: 'cache',
    description: 'a cache',
    values: z.object({ url: z.string().default('http://cache.kubevirt-prow-jobs.svc:8080') }),
    provides: [prowBuildCluster],
    namespaces: () => [jobsNamespace],
    render: (scope) => {
      if (opts.renderService === false) return;
      emitModel(scope, new Service({ metadata: { name: 'cache', namespace: jobsNamespace }, spec: { ports: [{ port: 8080 }] } }));
    },
    jobPresets: ({ values }) => [preset(values.url)],
  });
}


function twoClusters(hub: AppBinding[], spoke: AppBinding[]) {
  const apps = [...new Set([...hub, ...spoke].map((b) => b.app))];
  return defineTopology({
    apps,
    roles: [
      defineRole({ role: 'hub', description: 'h', hub: true, apps: hub, clusters: [clusterSpec('hub-1')] }),
      defineRole({ role: 'spokes', description: 's', hub: false, apps: spoke, clusters: [clusterSpec('spoke-1')] }),
    ],
  });
}

describe('job presets', () => {
  it('are collected once for Prow when every build cluster offers them alike', () => {
    const app = cacheApp();
    const rendered = render(twoClusters([enable(app)], [enable(app)]));
    expect(presetsOf(rendered.clusters).map((p) => [p.label, p.env])).toEqual([['preset-cache', [{ name: 'CACHE', value: 'http://cache.kubevirt-prow-jobs.svc:8080' }]]]);
  });

  it('must point at a Service the cluster renders, on a port it has', () => {
    const missing = cacheApp({ renderService: false });
    expect(problemsFrom(() => render(twoClusters([enable(missing)], [enable(missing)]))).map((p) => [p.object, p.field, p.message])).toEqual([
      ['job preset "preset-cache" of app "cache" on cluster "hub-1"', 'services[0]', `points jobs at Service ${jobsNamespace}/cache, which the cluster does not render`],
      ['job preset "preset-cache" of app "cache" on cluster "spoke-1"', 'services[0]', `points jobs at Service ${jobsNamespace}/cache, which the cluster does not render`],
    ]);
    const wrongPort = cacheApp({ port: 9090 });
    expect(problemsFrom(() => render(twoClusters([enable(wrongPort)], [enable(wrongPort)])))[0]).toMatchObject({
      field: 'services[0].port',
      message: `Service ${jobsNamespace}/cache has no port 9090 (it has 8080)`,
    });
  });

  it('must mount only ConfigMaps that are rendered or provided in the jobs namespace', () => {
    const app = cacheApp({ mounts: 'nowhere' });
    const problems = problemsFrom(() => render(twoClusters([enable(app)], [enable(app)])));
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['volumes[0]', `mounts ConfigMap ${jobsNamespace}/nowhere, which is neither rendered nor provided on the cluster`],
      ['volumes[0]', `mounts ConfigMap ${jobsNamespace}/nowhere, which is neither rendered nor provided on the cluster`],
    ]);
  });

  it('must be offered on every cluster that runs jobs, because Prow applies them everywhere', () => {
    const problems = problemsFrom(() => render(twoClusters([enable(cacheApp())], [enable(jobsNamespaceApp)])));
    expect(problems.map((p) => [p.object, p.field, p.fix])).toEqual([['cluster "spoke-1"', 'apps', 'enable app "cache" on role "spokes"']]);
    expect(problems[0]!.message).toContain('runs jobs but does not offer job preset "preset-cache"');
    expect(problems[0]!.file).toBe(here);
  });

  it('must mean the same on every cluster', () => {
    const app = cacheApp();
    const problems = problemsFrom(() => render(twoClusters([enable(app)], [enable(app, { url: 'http://elsewhere:8080' })])));
    expect(problems.map((p) => [p.object, p.message])).toEqual([
      ['job preset "preset-cache" on cluster "spoke-1"', 'differs from the same preset on cluster "hub-1"; Prow has one definition per preset'],
    ]);
  });

  it('may only be offered where Prow runs jobs', () => {
    const nowhere = defineApp({ ...cacheApp(), provides: [] });
    const found = problemsFrom(() => render(twoClusters([enable(nowhere)], [enable(nowhere)]))).map((p) => [p.object, p.field, p.message]);
    expect(found).toEqual([
      ['job preset "preset-cache" of app "cache" on cluster "hub-1"', 'jobPresets()', 'the cluster runs no jobs (no app on it provides "prow-build-cluster")'],
      ['job preset "preset-cache" of app "cache" on cluster "spoke-1"', 'jobPresets()', 'the cluster runs no jobs (no app on it provides "prow-build-cluster")'],
    ]);
  });
});
