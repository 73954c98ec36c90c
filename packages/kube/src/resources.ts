import { z } from 'zod';

/**
 * A container's requests and limits. A CPU limit is optional and usually wrong for our
 * caches: production's docker proxy was throttled by one.
 */
export const containerResources = z
  .object({
    requests: z.object({ cpu: z.string(), memory: z.string() }).strict(),
    limits: z.object({ cpu: z.string().optional(), memory: z.string() }).strict(),
  })
  .strict();
export type ContainerResources = z.output<typeof containerResources>;
