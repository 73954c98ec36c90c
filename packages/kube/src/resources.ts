import { z } from 'zod';
import { boundedQuantity } from './storage.ts';

/** The most memory a container may ask for: more than any node of ours has. */
export const largestMemory = '1Ti';
/** The most cores a container may ask for. */
export const largestCpu = 256;

/** Kubernetes CPU: cores ('2', '0.5') or millicores ('500m'), above zero and at most largestCpu. */
export const cpuQuantity = z.string().superRefine((q, ctx) => {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: "must be cores such as '2' or '0.5', or millicores such as '500m'" });
    return;
  }
  const cores = Number(m[1]) / (m[2] ? 1000 : 1);
  if (cores <= 0) ctx.addIssue({ code: 'custom', message: 'must be above zero' });
  else if (cores > largestCpu) ctx.addIssue({ code: 'custom', message: `${q} is more than ${largestCpu} cores; is the unit right?` });
});

const memory = boundedQuantity(largestMemory, 'such as 512Mi');

/**
 * A container's requests and limits. A CPU limit is optional and usually wrong for our
 * caches: production's docker proxy was throttled by one.
 */
export const containerResources = z
  .object({
    requests: z.object({ cpu: cpuQuantity, memory }).strict(),
    limits: z.object({ cpu: cpuQuantity.optional(), memory }).strict(),
  })
  .strict();
export type ContainerResources = z.output<typeof containerResources>;

/**
 * Requests small enough for two kind clusters on one CI runner (the smoke test's apps'
 * kindValues); limits stay roomy, since nothing schedules by them.
 */
export function kindResources(memoryLimit = '1Gi'): ContainerResources {
  return { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: memoryLimit } };
}

/** A small claim on kind's default storage class, for a cache's kindValues. */
export function kindClaim(size: string) {
  return { type: 'claim' as const, size };
}
