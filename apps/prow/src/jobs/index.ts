import { kubevirtJobs } from './kubevirt-kubevirt.ts';
import { projectInfraJobs } from './kubevirt-project-infra.ts';
import type { JobFile } from './job-file.ts';

export type { JobFile } from './job-file.ts';

/** Every job file of job-config. Add a repository's jobs as one more module here. */
export const jobFiles: readonly JobFile[] = [kubevirtJobs, projectInfraJobs];
