import { parseQuantity } from '@kubevirt-ci/kube';

/**
 * ghproxy's --cache-sizeGB for a volume: the volume less the headroom, in the decimal
 * gigabytes the flag counts, rounded down. Derived so the two can never disagree again
 * (production once had 99 GB of cache configured on a 30 Gi volume).
 */
export function ghproxyCacheSizeGB(volumeSize: string, headroomPercent: number): number {
  const gb = Math.floor((parseQuantity(volumeSize) * (1 - headroomPercent / 100)) / 1e9);
  if (gb < 1) {
    throw new Error(`a ${volumeSize} volume leaves ghproxy less than 1 GB of cache after ${headroomPercent}% headroom; give ghproxy.storage a larger size`);
  }
  return gb;
}
