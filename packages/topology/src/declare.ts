/**
 * The declare step: every declarative hook of every app, called once per cluster at the end
 * of resolution through one guarded call, its answers kept on the resolved cluster. Render,
 * docs, tools and other apps read those; only render() is called again, by synth.
 */
import { TopologyError, type Problems } from './errors.ts';
import type { AppContext, AppDefinition, Cluster, Declared } from './model.ts';
import { sourceOf } from './source.ts';

/** What an app declares before the declare step has run (hooks must not read declarations). */
export const nothingDeclared: Declared = { namespaces: [], releases: [], flows: [], provided: [], jobPresets: [], metrics: [] };

/**
 * Calls one of an app's hooks; a throw becomes a problem naming the app, its file, the
 * cluster and the hook, and the fallback is returned. A TopologyError's problems, which
 * already name their file, object and field, are kept as they are.
 */
export function guardedHook<T>(problems: Problems, app: Pick<AppDefinition, 'name'>, cluster: Pick<Cluster, 'name'>, hook: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TopologyError) {
      for (const p of err.problems) problems.add(p);
      return fallback;
    }
    problems.add({ file: sourceOf(app), object: `app "${app.name}" on cluster "${cluster.name}"`, field: `${hook}()`, message: (err as Error).message, fix: 'fix the app, or the values and topology it reads' });
    return fallback;
  }
}

/** Calls each declarative hook of one app on one cluster. */
export function declare(problems: Problems, app: AppDefinition, ctx: AppContext<unknown>): Declared {
  const call = <K extends keyof Declared>(hook: K): Declared[K] => guardedHook(problems, app, ctx.cluster, hook, () => app[hook](ctx as never) as Declared[K], nothingDeclared[hook]);
  return { namespaces: call('namespaces'), releases: call('releases'), flows: call('flows'), provided: call('provided'), jobPresets: call('jobPresets'), metrics: call('metrics') };
}
