import { here, recordSource } from '../source.ts';

/** A GCS bucket and what it stores. */
export interface Bucket {
  readonly name: string;
  readonly stores: string;
}

/** Services outside our clusters that the workloads in them need. */
export const external = recordSource(
  {
    github: {
      description:
        'Prow receives webhooks about events such as comments and new pull requests, reports job status, comments on issues and merges pull requests',
      org: 'kubevirt',
      api: 'https://api.github.com',
    },
    gcs: {
      description: 'Google Cloud Storage buckets',
      buckets: {
        'build-results': { name: 'kubevirt-prow', stores: 'Prow build results' },
        'build-artifacts': { name: 'kubevirt-prow', stores: 'Build artifacts' },
        'thanos-blocks': { name: 'kubevirt-prow-thanos', stores: 'Thanos blocks' },
      } satisfies Record<string, Bucket>,
    },
    quay: {
      description: 'the container image registry for test images and image artifacts',
      registry: 'quay.io',
      org: 'kubevirtci',
    },
    slack: {
      description: 'some notifications are sent to a Slack channel',
    },
  },
  here(import.meta.url),
);

export type ExternalServiceName = keyof typeof external;
export type BucketPurpose = keyof typeof external.gcs.buckets;

/** The name of the bucket that serves a purpose; throws when no bucket does. */
export function bucketName(t: { readonly external: { readonly gcs: { readonly buckets: Readonly<Record<string, Bucket>> } } }, purpose: string): string {
  const b = t.external.gcs.buckets[purpose];
  if (!b) throw new Error(`no GCS bucket for "${purpose}" is declared (there are: ${Object.keys(t.external.gcs.buckets).join(', ')}); declare it in packages/topology/src/facts/external.ts`);
  return b.name;
}
