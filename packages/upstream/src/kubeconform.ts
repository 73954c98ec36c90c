import type { Versions } from '@kubevirt-ci/topology';
import { available, goProgram, stderrProgress, type Progress } from './go.ts';
import { schemaSet } from './schemas.ts';
import { crdSources, kubeconform, kubernetesApi } from './sources.ts';

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
  return available(() => {
    const bin = goProgram(kubeconform, progress, env);
    const schemas = schemaSet(kubernetesApi(versions), crdSources(versions), progress, env);
    return { bin, schemaLocations: [schemas.location], kubernetesVersion: schemas.kubernetesVersion };
  });
}
