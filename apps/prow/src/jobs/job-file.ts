import type { JobConfig } from '../config/types.ts';

/** One file of the job-config ConfigMap, and the module that declares it (for errors). */
export interface JobFile {
  /** The key in job-config, e.g. kubevirt-kubevirt.yaml. */
  readonly file: string;
  /** The repo-relative module that declares it. */
  readonly source: string;
  readonly config: JobConfig;
}
