import type { Problem } from '@kubevirt-ci/topology';
import type { JobFile } from './job-file.ts';

/**
 * How much job config one ConfigMap holds: its data as JSON, the form Argo CD's client-side
 * apply copies into the last-applied annotation, and all annotations together may hold 256 KiB
 * (apimachinery's TotalAnnotationSizeLimitB). 200,000 bytes leaves room for the rest, and is a
 * fifth of the 1 MiB a ConfigMap may hold.
 */
export const shardBudget = 200_000;

const sizeOf = (key: string, text: string) => JSON.stringify(key).length + JSON.stringify(text).length + 2;

/**
 * The job files packed into ConfigMaps of at most `budget`, in path order, one key per file.
 * Every component mounts all of them as one directory (a projected volume), so which shard a
 * file lands in never matters to Prow; the config hash is taken over the files, not the shards.
 */
export function shardJobFiles(files: readonly JobFile[], budget = shardBudget): { shards: Record<string, string>[]; problems: Problem[] } {
  const shards: Record<string, string>[] = [];
  const problems: Problem[] = [];
  let current: Record<string, string> = {};
  let used = 0;
  for (const f of files) {
    const size = sizeOf(f.file, f.text);
    if (size > budget) {
      problems.push({
        file: f.source,
        object: `job file ${f.file}`,
        field: '(whole file)',
        message: `is ${size} bytes as a ConfigMap holds it, more than the ${budget} one ConfigMap of job config may hold`,
        fix: 'split it into several files (by branch, or presubmits and periodics); Prow reads any number',
      });
      continue;
    }
    if (used + size > budget && used > 0) {
      shards.push(current);
      current = {};
      used = 0;
    }
    current[f.file] = f.text;
    used += size;
  }
  shards.push(current);
  return { shards, problems };
}
