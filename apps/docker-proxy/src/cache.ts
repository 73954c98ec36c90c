import { GiB, parseQuantity } from '@kubevirt-ci/kube';

/**
 * docker-registry-proxy's CACHE_MAX_SIZE (nginx's proxy_cache max_size) for a volume: the
 * volume less a headroom for nginx's temporary files and for the cache manager, which trims
 * the cache only after it has grown past the limit.
 */
export function cacheMaxSize(volumeSize: string, headroomPercent: number): string {
  const gib = Math.floor((parseQuantity(volumeSize) * (100 - headroomPercent)) / 100 / GiB);
  if (gib < 1) {
    throw new Error(`a ${volumeSize} volume leaves no room for the image cache after ${headroomPercent}% headroom; give the docker proxy at least ${Math.ceil(100 / (100 - headroomPercent))}Gi`);
  }
  return `${gib}g`;
}
