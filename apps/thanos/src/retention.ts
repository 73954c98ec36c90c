import { parseQuantity } from '@kubevirt-ci/kube';
import type { Problem } from '@kubevirt-ci/topology';

/** How long the bucket keeps each resolution, in days. */
export interface Retention {
  readonly rawDays: number;
  readonly fiveMinuteDays: number;
  readonly oneHourDays: number;
}

/**
 * Thanos compact downsamples raw blocks to 5m once they are 40 hours old, and 5m blocks to 1h
 * once they are 10 days old. A resolution kept for less than that is deleted before anything
 * is made from it, and a coarser resolution kept for less than a finer one is pointless.
 */
export const downsampleAfterDays = { fiveMinute: 2, oneHour: 10 } as const;

/** Compact merges blocks up to two weeks long (its default largest level). */
export const largestBlockDays = 14;

const gib = 1024 ** 3;

type Where = Pick<Problem, 'file' | 'object'>;

/** The problems of a bucket retention; empty when each resolution feeds the next. */
export function retentionProblems(where: Where, r: Retention): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string, fix: string) => problems.push({ ...where, field: `values.compact.retention.${field}`, message, fix });
  if (r.rawDays < downsampleAfterDays.fiveMinute) {
    add('rawDays', `raw blocks kept ${r.rawDays} days are deleted before compact downsamples them at ${downsampleAfterDays.fiveMinute} days`, `keep raw blocks at least ${downsampleAfterDays.fiveMinute} days`);
  }
  if (r.fiveMinuteDays < downsampleAfterDays.oneHour) {
    add('fiveMinuteDays', `5m blocks kept ${r.fiveMinuteDays} days are deleted before compact downsamples them at ${downsampleAfterDays.oneHour} days`, `keep 5m blocks at least ${downsampleAfterDays.oneHour} days`);
  }
  if (r.fiveMinuteDays < r.rawDays) add('fiveMinuteDays', `5m blocks (${r.fiveMinuteDays} days) would go before raw ones (${r.rawDays} days)`, 'keep each coarser resolution at least as long as the finer one');
  if (r.oneHourDays < r.fiveMinuteDays) add('oneHourDays', `1h blocks (${r.oneHourDays} days) would go before 5m ones (${r.fiveMinuteDays} days)`, 'keep each coarser resolution at least as long as the finer one');
  return problems;
}

/**
 * The scratch space compact needs: it downloads every block of its largest merge (two weeks of
 * the busiest cluster) and writes the result next to them, so twice that.
 */
export function compactScratch(growthPerDay: readonly string[]): number {
  const busiest = Math.max(...growthPerDay.map(parseQuantity));
  return 2 * largestBlockDays * busiest;
}

/** A problem when the compact volume cannot hold its largest merge. */
export function compactVolumeProblems(where: Where, size: string, growthPerDay: readonly string[]): Problem[] {
  const needed = compactScratch(growthPerDay);
  if (parseQuantity(size) >= needed) return [];
  return [
    {
      ...where,
      field: 'values.compact.storage.size',
      message: `compact merges ${largestBlockDays} days of the busiest cluster (${Math.max(...growthPerDay.map(parseQuantity)) / gib}Gi a day) and needs ${Math.ceil(needed / gib)}Gi of scratch space, more than ${size}`,
      fix: `give compact at least ${Math.ceil(needed / gib)}Gi`,
    },
  ];
}

/**
 * A problem when receive's volume cannot hold what the writing clusters send in its retention
 * (their growth a day, summed); the share of the volume blocks may fill is the same as
 * Prometheus's, the rest holds the WAL.
 */
export function receiveVolumeProblems(where: Where, size: string, retentionDays: number, growthPerDay: readonly string[], blocksSharePercent: number): Problem[] {
  const needed = retentionDays * growthPerDay.reduce((sum, g) => sum + parseQuantity(g), 0);
  const room = (parseQuantity(size) * blocksSharePercent) / 100;
  if (needed <= room) return [];
  return [
    {
      ...where,
      field: 'values.receive.storage.size',
      message: `receive keeps ${retentionDays} days of the writing clusters (${Math.ceil(needed / gib)}Gi), more than ${blocksSharePercent} % of ${size}`,
      fix: `give receive at least ${Math.ceil(needed / (blocksSharePercent / 100) / gib)}Gi, or keep fewer days (the bucket keeps the history)`,
    },
  ];
}
