import type { Versions } from '@kubevirt-ci/topology';
import { goProgram, stderrProgress, UpstreamUnavailable, type Progress } from './go.ts';
import { schemaSet } from './schemas.ts';
import { crdSources, kubeconform, kubernetesApi, promtool } from './sources.ts';

/** kubeconform as the validator runs it: the pinned binary and the offline schemas. */
export interface Kubeconform {
  readonly bin: string;
  readonly schemaLocations: readonly string[];
  /** The x.y.z its schema location resolves. */
  readonly kubernetesVersion: string;
}

/**
 * The pinned kubeconform and its schemas, built and generated once when missing. Where they
 * cannot be had (no Go, a version the proxy does not serve), the reason, for one line.
 */
export function prepareKubeconform(versions: Versions, progress: Progress = stderrProgress, env: NodeJS.ProcessEnv = process.env): Kubeconform | { readonly unavailable: string } {
  try {
    const bin = goProgram(kubeconform.module, kubeconform.pkg, kubeconform.version, progress, env);
    const schemas = schemaSet(kubernetesApi(versions), crdSources(versions), progress, env);
    return { bin, schemaLocations: [schemas.location], kubernetesVersion: schemas.kubernetesVersion };
  } catch (err) {
    if (err instanceof UpstreamUnavailable) return { unavailable: err.message };
    throw err;
  }
}

/** promtool at the Prometheus we run, built once when missing; or why it cannot be had here. */
export function preparePromtool(versions: Versions, progress: Progress = stderrProgress, env: NodeJS.ProcessEnv = process.env): string | { readonly unavailable: string } {
  const p = promtool(versions);
  try {
    return goProgram(p.module, p.pkg, p.version, progress, env);
  } catch (err) {
    if (err instanceof UpstreamUnavailable) return { unavailable: err.message };
    throw err;
  }
}
