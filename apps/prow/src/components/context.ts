import type { Versions } from '@kubevirt-ci/topology';

/** What the components' flags take from the topology and the app's values. */
export interface ComponentContext {
  readonly versions: Versions;
  /** The GCS bucket of build results. */
  readonly bucket: string;
  readonly org: string;
  /** GitHub's API, which every component calls through ghproxy. */
  readonly githubApi: string;
  /** The Service ports of the public components, from the topology's exposed services. */
  readonly exposedPorts: { readonly deck: number; readonly gcsweb: number };
  /** ghproxy's cache: the claim it lives on and the size ghproxy may fill. */
  readonly ghproxy: { readonly claim: string; readonly cacheSizeGB: number };
  /** How often needs-rebase sweeps every open pull request. */
  readonly needsRebasePeriod: string;
  /** Where rehearse finds job configs and Prow's config in the repository it rehearses. */
  readonly rehearse: { readonly jobsConfigBase: string; readonly prowConfigPath: string };
  /** When label-sync runs, as a five-field cron schedule in UTC. */
  readonly labelSyncSchedule: string;
  /** When branchprotector applies config.yaml's branch-protection, likewise. */
  readonly branchProtectorSchedule: string;
}
