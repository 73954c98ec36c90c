import { isDeepStrictEqual } from 'node:util';
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { describe, type Manifest } from '@kubevirt-ci/synth';
import { apiErrorDetail } from './kubeconfig.ts';

/** What a server-side apply did, or with --dry-run would do. */
export type Outcome = 'created' | 'configured' | 'unchanged';

const objectRef = (o: KubernetesObject) => describe(o as Manifest);

/** What the server keeps for itself; left out when deciding whether an apply changed anything. */
function comparable(o: KubernetesObject): unknown {
  const { managedFields: _m, resourceVersion: _r, generation: _g, ...metadata } = o.metadata ?? {};
  const { status: _s, ...rest } = o as KubernetesObject & { status?: unknown };
  return { ...rest, metadata };
}

/** The message of the Status an API server answered with, if the error carries one. */
export function serverMessage(err: unknown): string | undefined {
  const body = (err as { body?: unknown }).body;
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown } | undefined;
    return typeof status?.message === 'string' ? status.message : undefined;
  } catch {
    return undefined;
  }
}

function code(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

/**
 * Server-side applies objects with one field manager, forcing ownership of the fields it
 * names, and says of each whether it was created, changed or already so. With dryRun the
 * server computes the result and stores nothing; an object whose namespace or kind the
 * cluster does not have yet (an earlier step of the same dry run would make it) counts as
 * created, and is listed in `unchecked`, since the server could not judge it.
 */
export class Applier {
  private readonly api: KubernetesObjectApi;
  /** Objects a dry run counted as created without the server judging them (their namespace or kind is not there yet). */
  readonly unchecked = new Set<KubernetesObject>();

  constructor(
    kc: KubeConfig,
    private readonly fieldManager: string,
    private readonly dryRun: boolean,
  ) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
  }

  async read<T extends KubernetesObject>(o: KubernetesObject): Promise<T | undefined> {
    try {
      return (await this.api.read({ apiVersion: o.apiVersion!, kind: o.kind!, metadata: { name: o.metadata!.name!, namespace: o.metadata?.namespace } })) as T;
    } catch (err) {
      if (code(err) === 404) return undefined;
      throw new Error(`reading ${objectRef(o)}: ${apiErrorDetail(err)}`);
    }
  }

  /** Every object of a kind, in every namespace for a namespaced kind. */
  async list<T extends KubernetesObject>(apiVersion: string, kind: string): Promise<T[]> {
    try {
      return (await this.api.list<T>(apiVersion, kind)).items;
    } catch (err) {
      throw new Error(`listing ${kind} (${apiVersion}): ${apiErrorDetail(err)}`);
    }
  }

  async apply(o: KubernetesObject): Promise<Outcome> {
    const live = await this.read(o);
    let result: KubernetesObject;
    try {
      result = await this.api.patch(o, undefined, this.dryRun ? 'All' : undefined, this.fieldManager, true, PatchStrategy.ServerSideApply);
    } catch (err) {
      if (this.dryRun && !live && code(err) === 404) {
        this.unchecked.add(o);
        return 'created';
      }
      const said = serverMessage(err);
      if (!said) throw new Error(`applying ${objectRef(o)}: ${apiErrorDetail(err)}`);
      // The fields the API server never lets change on an existing object.
      const immutable = /cannot change roleRef/.test(said) ? 'a roleRef' : /field is immutable/.test(said) ? 'that field' : undefined;
      throw new Error(`applying ${objectRef(o)}: the API server refuses it: ${said}${immutable ? `; ${immutable} cannot change in place: delete ${objectRef(o)} (kubectl delete), then run bootstrap again` : ''}`);
    }
    if (!live) return 'created';
    return isDeepStrictEqual(comparable(result), comparable(live)) ? 'unchanged' : 'configured';
  }
}

/** One progress line: "created  Secret argocd/cluster-x", or "would create ..." in a dry run. */
export function outcomeLine(outcome: Outcome, ref: string, dryRun: boolean): string {
  const verb = dryRun && outcome !== 'unchanged' ? `would ${outcome === 'created' ? 'create' : 'configure'}` : outcome;
  return `${verb.padEnd(16)}${ref}`;
}
