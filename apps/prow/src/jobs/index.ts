import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Problem } from '@kubevirt-ci/topology';
import { parseJobFile, type JobFile } from './job-file.ts';

export { generatedJobFile, parseJobFile, type JobFile, type YamlPath } from './job-file.ts';
export { prowYaml } from '../yaml.ts';

/**
 * Where job configs live: apps/prow/jobs/<org>/<repo>/*.yaml, Prow's own format, laid out as
 * production's files/jobs is (a copy of that folder is a migration).
 */
export const jobsDir = 'apps/prow/jobs';
const jobsRoot = new URL('../../jobs/', import.meta.url);

/**
 * Every YAML file under the jobs folder, in path order, read as Prow reads it; a file that is
 * not YAML, or whose name another file has (Prow reads them all from one directory), is a
 * problem naming its path and line.
 */
export function loadJobTree(root: URL | string = jobsRoot, shownAs = jobsDir): { files: JobFile[]; problems: Problem[] } {
  const paths = (readdirSync(root, { recursive: true }) as string[]).filter((p) => /\.ya?ml$/.test(p)).map((p) => p.split('\\').join('/')).sort();
  const files: JobFile[] = [];
  const problems: Problem[] = [];
  const byName = new Map<string, string>();
  for (const p of paths) {
    const source = `${shownAs}/${p}`;
    const { job, error } = parseJobFile(basename(p), source, readFileSync(typeof root === 'string' ? join(root, p) : new URL(p, root), 'utf8'));
    if (error) {
      problems.push({ file: `${source}:${error.line}`, object: `job file ${p}`, field: `line ${error.line}`, message: `is not YAML Prow can read: ${error.message}`, fix: 'correct the YAML at that line' });
      continue;
    }
    const other = byName.get(job!.file);
    if (other) {
      problems.push({ file: source, object: `job file ${p}`, field: 'file name', message: `has the name of ${other}; Prow reads every job file from one directory, so names must differ`, fix: 'rename one, for example with its repository as a prefix' });
      continue;
    }
    byName.set(job!.file, source);
    files.push(job!);
  }
  return { files, problems };
}
