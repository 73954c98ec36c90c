import type { Versions } from '@kubevirt-ci/topology';
import { available, goProgram, stderrProgress, type Progress } from './go.ts';
import { promtool } from './sources.ts';

/** promtool at the Prometheus we run, built once when missing; or why it cannot be had here. */
export function preparePromtool(versions: Versions, progress: Progress = stderrProgress, env: NodeJS.ProcessEnv = process.env): string | { readonly unavailable: string } {
  const p = promtool(versions);
  return available(() => goProgram(p, progress, env));
}
