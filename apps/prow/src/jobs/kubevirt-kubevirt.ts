import { bazelCachePreset } from '@kubevirt-ci/app-greenhouse';
import { dockerMirrorProxyPreset } from '@kubevirt-ci/app-docker-proxy';
import { here, kubevirtciPreset, versions } from '@kubevirt-ci/topology';
import type { IResourceRequirements } from 'kubernetes-models/v1';
import type { JobContainer, Periodic } from '../config/types.ts';
import type { JobFile } from './job-file.ts';

const docsOnly = '^docs/|\\.md$';
const caches = { [bazelCachePreset]: 'true', [dockerMirrorProxyPreset]: 'true' };

/** KubeVirt's job image runs the command inside its runner, which starts docker first. */
function run(command: string, resources: IResourceRequirements): JobContainer {
  return { image: versions.kubevirtciBootstrap, command: ['/usr/local/bin/runner.sh', '/bin/sh', '-ce', command], resources };
}

// KubeVirtCI starts its cluster as privileged containers inside the job's pod.
const privileged = { privileged: true };
const e2eResources = { requests: { cpu: '6', memory: '29Gi' }, limits: { memory: '29Gi' } };

/** A nightly run of kubevirt's main branch against an external KubeVirtCI cluster, one at a time. */
function onExternalCluster(name: string, cluster: string, cron: string, timeout: string, command: string): Periodic {
  return {
    name,
    cluster: 'prow-workloads',
    cron,
    max_concurrency: 1,
    decorate: true,
    decoration_config: { timeout },
    labels: { [kubevirtciPreset(cluster)]: 'true', [dockerMirrorProxyPreset]: 'true' },
    extra_refs: [{ org: 'kubevirt', repo: 'kubevirt', base_ref: 'main', workdir: true }],
    spec: { containers: [{ ...run(command, e2eResources), securityContext: privileged }] },
  };
}

export const kubevirtJobs: JobFile = {
  file: 'kubevirt-kubevirt.yaml',
  source: here(import.meta.url),
  config: {
    presubmits: {
      'kubevirt/kubevirt': [
        {
          name: 'pull-kubevirt-unit-test',
          cluster: 'prow-workloads',
          skip_if_only_changed: docsOnly,
          decorate: true,
          decoration_config: { timeout: '1h' },
          labels: caches,
          spec: { containers: [{ ...run('make test', { requests: { cpu: '4', memory: '8Gi' }, limits: { memory: '8Gi' } }), securityContext: privileged }] },
        },
        {
          name: 'pull-kubevirt-e2e-k8s-1.33-sig-compute',
          cluster: 'prow-workloads',
          skip_if_only_changed: docsOnly,
          decorate: true,
          decoration_config: { timeout: '4h' },
          labels: caches,
          spec: {
            containers: [
              { ...run('export TARGET=k8s-1.33-sig-compute && automation/test.sh', e2eResources), securityContext: privileged },
            ],
          },
        },
      ],
    },
    periodics: [
      onExternalCluster('periodic-kubevirt-e2e-arm64', 'arm', '0 2 * * *', '5h', 'export TARGET=external-arm64 && automation/test.sh'),
      onExternalCluster('periodic-kubevirt-performance-density', 'performance', '0 4 * * *', '8h', 'export TARGET=external-performance && automation/perf-test.sh'),
    ],
  },
};
