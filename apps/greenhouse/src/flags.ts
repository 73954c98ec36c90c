import { parseQuantity, wholeGiB } from '@kubevirt-ci/kube';

export interface FreeSpace {
  /** Greenhouse starts evicting when less than this share of the disk is free (percent). */
  readonly floorPercent: number;
  /** ... and never lets free space fall under this much, however large the volume. */
  readonly minimum: string;
  /** How many percent above the floor an eviction run frees. */
  readonly evictionStepPercent: number;
}

/** Above this floor the volume would hold too little cache to be worth having. */
export const maxFloorPercent = 80;

/**
 * Greenhouse's eviction flags for a volume: the floor is the larger of the configured share
 * and the absolute minimum expressed as a share of this volume, so a small volume keeps enough
 * room for the uploads that land between two disk checks.
 */
export function evictionFlags(volumeSize: string, free: FreeSpace): { minPercentBlocksFree: number; evictUntilPercentBlocksFree: number } {
  const size = parseQuantity(volumeSize);
  const minimum = parseQuantity(free.minimum);
  const floor = Math.max(free.floorPercent, Math.ceil((minimum / size) * 100));
  if (floor > maxFloorPercent) {
    throw new Error(
      `a ${volumeSize} volume is too small for the bazel cache: keeping ${free.minimum} free is ${floor}% of it, above ${maxFloorPercent}%; give greenhouse a volume of at least ${Math.ceil(wholeGiB(minimum) * (100 / maxFloorPercent))}Gi or lower freeSpace.minimum`,
    );
  }
  return { minPercentBlocksFree: floor, evictUntilPercentBlocksFree: Math.min(floor + free.evictionStepPercent, 95) };
}
