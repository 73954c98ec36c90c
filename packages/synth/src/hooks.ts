import { sourceOf, TopologyError, type AppDefinition, type Cluster, type Problems } from '@kubevirt-ci/topology';

/** Calls one of an app's hooks; a throw becomes a problem naming the app, its file, the cluster and the hook. */
export function callHook<T>(problems: Problems, app: AppDefinition, cluster: Cluster, hook: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TopologyError) {
      // The app found problems of its own, each already naming its file, object and field.
      for (const p of err.problems) problems.add(p);
      return fallback;
    }
    problems.add({ file: sourceOf(app), object: `app "${app.name}" on cluster "${cluster.name}"`, field: `${hook}()`, message: (err as Error).message, fix: 'fix the app or the values it was given' });
    return fallback;
  }
}
