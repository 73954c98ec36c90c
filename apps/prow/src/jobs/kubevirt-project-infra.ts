import { bazelCachePreset } from '@kubevirt-ci/app-greenhouse';
import { here, versions } from '@kubevirt-ci/topology';
import type { JobFile } from './job-file.ts';

/** project-infra's own checks are not e2e: they run on the control plane. */
export const projectInfraJobs: JobFile = {
  file: 'kubevirt-project-infra.yaml',
  source: here(import.meta.url),
  config: {
    presubmits: {
      'kubevirt/project-infra': [
        {
          name: 'pull-project-infra-test',
          cluster: 'ibm-prow-jobs',
          always_run: false,
          run_if_changed: '^(external-plugins|robots|releng)/.*\\.go$|^go\\.(mod|sum)$',
          decorate: true,
          decoration_config: { timeout: '1h' },
          labels: { [bazelCachePreset]: 'true' },
          spec: {
            containers: [
              {
                image: versions.kubevirtciBootstrap,
                command: ['/usr/local/bin/runner.sh', '/bin/sh', '-ce', 'make test'],
                resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } },
              },
            ],
          },
        },
      ],
    },
  },
};
