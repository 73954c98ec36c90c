/**
 * Every rendered object, judged by the pinned kube-apiserver: the upstream CRDs installed,
 * the namespaces really created with the Pod Security labels we render, then each object
 * server-side applied with dryRun=All and fieldValidation=Strict in sync-wave order. A refusal
 * or a warning is a finding naming the file, the object, the field and the server's words.
 *
 * PodSecurity enforces its level on Pods only; of a Deployment's template it merely warns, at
 * the namespace's warn level, which we set above the enforced one on purpose. So each pod
 * template is also dry-run as a Pod of its own, which the enforced level admits or refuses;
 * PodSecurity's warnings are left out. The ServiceAccount admission plugin refuses a Pod whose
 * account does not exist, so the rendered ServiceAccounts are created for real first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { podSpecOf } from '@kubevirt-ci/kube';
import { refOf, type CheckResult, type Finding, type ParsedObject } from '@kubevirt-ci/validate';
import { parseAllDocuments } from 'yaml';
import { conventions, versions as pinned } from '@kubevirt-ci/topology';
import { crdSources, moduleDir, stderrProgress, UpstreamUnavailable, type Progress } from '@kubevirt-ci/upstream';
import type { Client } from './client.ts';
import { binaries, startCluster, type Binaries } from './cluster.ts';

/** What the server serves, by apiVersion and kind. */
interface Resource {
  /** /api/v1 or /apis/<group>/<version>. */
  readonly base: string;
  readonly name: string;
  readonly namespaced: boolean;
}

type Discovery = Map<string, Resource>;

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

async function discover(api: Client): Promise<Discovery> {
  const out: Discovery = new Map();
  const groupVersions = ['v1'];
  const groups = (await api.json<{ groups: { versions: { groupVersion: string }[] }[] }>('GET', '/apis')).value.groups;
  for (const g of groups) for (const v of g.versions) groupVersions.push(v.groupVersion);
  for (const gv of groupVersions) {
    const base = gv === 'v1' ? '/api/v1' : `/apis/${gv}`;
    const list = (await api.json<ApiResourceList>('GET', base)).value;
    for (const r of list.resources) if (!r.name.includes('/')) out.set(`${gv}/${r.kind}`, { base, name: r.name, namespaced: r.namespaced });
  }
  return out;
}

interface Status {
  kind?: string;
  message?: string;
  details?: { causes?: { field?: string; message?: string }[] };
}

/**
 * The field a refusal names: its first cause's, else the path server-side apply puts before
 * "field not declared in schema" (.spec.containers[name="web"].x).
 */
function fieldOf(s: Status): string {
  const cause = s.details?.causes?.find((c) => c.field)?.field;
  if (cause) return cause;
  return /(?:^|: )\.(\S+): field not declared in schema/.exec(s.message ?? '')?.[1] ?? '';
}

const apply = (api: Client, url: string, body: unknown) => api.json<Status & Record<string, unknown>>('PATCH', url, body, 'application/apply-patch+yaml');

/** A manager name of our own, so the server-side applies here never meet a real one's fields. */
const fieldManager = 'kubevirt-ci-admission';

function objectUrl(r: Resource, o: Record<string, unknown>, params: string, manager = fieldManager): string {
  const meta = (o['metadata'] ?? {}) as { name?: string; namespace?: string };
  const ns = r.namespaced && meta.namespace ? `/namespaces/${encodeURIComponent(meta.namespace)}` : '';
  return `${r.base}${ns}/${r.name}/${encodeURIComponent(meta.name ?? '')}?fieldManager=${encodeURIComponent(manager)}&force=true&${params}`;
}

/** The CRDs in the YAML files of the given directories (the pinned releases' own files). */
export function crdsIn(dirs: readonly string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const dir of dirs) {
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const o = doc.toJS() as Record<string, unknown> | null;
        if (o?.['kind'] === 'CustomResourceDefinition') out.push(o);
      }
    }
  }
  return out;
}

const wave = (o: Record<string, unknown>) => Number(((o['metadata'] as { annotations?: Record<string, string> } | undefined)?.annotations ?? {})[conventions.annotations.syncWave] ?? 0);

export interface ApplyOptions {
  /** The field manager the server records; our own by default. */
  readonly manager?: string;
  /** What to do with a refusal; by default it throws with the server's words. */
  readonly refused?: (o: Record<string, unknown>, message: string) => void;
}

/**
 * Applies objects for real, in order (what a test says Argo CD would have synced), finding
 * each kind's resource by the server's discovery, again after a CRD of the same run.
 */
export async function applyForReal(api: Client, objects: readonly Record<string, unknown>[], opts: ApplyOptions = {}): Promise<void> {
  const refused =
    opts.refused ??
    ((o, message) => {
      throw new Error(`applying ${o['kind']} ${(o['metadata'] as { name: string }).name}: ${message}`);
    });
  let served = await discover(api);
  for (const o of objects) {
    const key = `${o['apiVersion']}/${o['kind']}`;
    if (!served.has(key)) served = await discover(api);
    const r = served.get(key);
    if (!r) {
      refused(o, `the test cluster serves no ${key}`);
      continue;
    }
    const res = await apply(api, objectUrl(r, o, 'fieldValidation=Strict', opts.manager), o);
    if (res.status >= 300) refused(o, res.value.message ?? `status ${res.status}`);
  }
}

/** Installs CRDs for real and waits until the server serves each. */
export async function installCrds(api: Client, crds: readonly Record<string, unknown>[]): Promise<void> {
  const r: Resource = { base: '/apis/apiextensions.k8s.io/v1', name: 'customresourcedefinitions', namespaced: false };
  for (const crd of crds) {
    const res = await apply(api, objectUrl(r, crd, 'fieldValidation=Strict'), crd);
    if (res.status >= 300) throw new Error(`installing the CRD ${(crd['metadata'] as { name: string }).name}: ${res.value.message}`);
  }
  for (const crd of crds) {
    const name = (crd['metadata'] as { name: string }).name;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const got = await api.json<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `${r.base}/${r.name}/${name}`);
      if (got.value.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`the CRD ${name} was not established within 60 s`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

export interface AdmissionOptions {
  /** The upstream CRDs the objects' kinds come from. */
  readonly crds: readonly Record<string, unknown>[];
  /**
   * Dry-run each pod template as a Pod too (default). Off for an identity that only deploys
   * workloads, as Argo CD's does: their controllers make the pods.
   */
  readonly pods?: boolean;
}

/**
 * Judges one cluster's objects on an API server of its own (namespaces are really created, so
 * a second cluster's objects need another server).
 */
export async function admit(api: Client, objects: readonly ParsedObject[], opts: AdmissionOptions): Promise<CheckResult & { readonly admitted: number }> {
  await installCrds(api, opts.crds);
  const findings: Finding[] = [];
  const notes: string[] = [];
  const finding = (o: ParsedObject, rule: string, path: string, message: string, fix: string): Finding => ({ rule, severity: 'error', file: o.file, line: o.line, object: refOf(o.value), path, message, fix });

  // Namespaces for real, with the labels we render: PodSecurity reads its levels from them.
  const namespaces = new Map<string, ParsedObject>();
  for (const o of objects) if (o.value['kind'] === 'Namespace' && o.value['apiVersion'] === 'v1') namespaces.set((o.value['metadata'] as { name: string }).name, o);
  const nsResource: Resource = { base: '/api/v1', name: 'namespaces', namespaced: false };
  for (const [, o] of namespaces) {
    const res = await apply(api, objectUrl(nsResource, o.value, 'fieldValidation=Strict'), o.value);
    if (res.status >= 300) findings.push(finding(o, 'apiserver/refused', fieldOf(res.value), `kube-apiserver refuses it (${res.status}): ${res.value.message}`, 'make the object what the pinned Kubernetes API accepts'));
  }
  // Namespaces someone else makes (an upstream release's own): created bare, at PodSecurity's default level.
  const elsewhere = [...new Set(objects.map((o) => (o.value['metadata'] as { namespace?: string } | undefined)?.namespace).filter((n): n is string => !!n && !namespaces.has(n)))].sort();
  const created: string[] = [];
  for (const name of elsewhere) {
    const bare = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    const res = await apply(api, objectUrl(nsResource, bare, 'fieldValidation=Strict'), bare);
    if (res.status < 300) created.push(name);
    else notes.push(`apiserver: the namespace ${name} that these files use could not be created (${res.value.message}); their objects in it are refused`);
  }
  if (created.length) notes.push(`apiserver: namespaces these files use but do not render, created without Pod Security labels: ${created.join(', ')}`);

  const saResource: Resource = { base: '/api/v1', name: 'serviceaccounts', namespaced: true };
  for (const o of objects.filter((x) => x.value['kind'] === 'ServiceAccount' && x.value['apiVersion'] === 'v1')) {
    const value = inNamespace(saResource, o.value);
    const res = await apply(api, objectUrl(saResource, value, 'fieldValidation=Strict'), value);
    if (res.status >= 300) findings.push(finding(o, 'apiserver/refused', fieldOf(res.value), `kube-apiserver refuses it (${res.status}): ${res.value.message}`, 'make the object what the pinned Kubernetes API accepts'));
  }

  const served = await discover(api);
  let admitted = 0;
  const ordered = objects.filter((o) => o.value['kind'] !== 'Namespace').map((o, i) => ({ o, i })).sort((a, b) => wave(a.o.value) - wave(b.o.value) || a.i - b.i).map(({ o }) => o);
  for (const o of ordered) {
    const key = `${o.value['apiVersion']}/${o.value['kind']}`;
    const r = served.get(key);
    if (!r) {
      findings.push(finding(o, 'apiserver/unserved', 'kind', `the pinned kube-apiserver with the pinned CRDs serves no ${o.value['kind']} in ${o.value['apiVersion']}`, 'use a kind and apiVersion the pinned Kubernetes or a pinned CRD defines'));
      continue;
    }
    const value = inNamespace(r, o.value);
    const res = await apply(api, objectUrl(r, value, 'dryRun=All&fieldValidation=Strict'), value);
    if (res.status >= 300) {
      findings.push(finding(o, 'apiserver/refused', fieldOf(res.value), `kube-apiserver refuses it (${res.status}): ${res.value.message ?? JSON.stringify(res.value)}`, 'make the object what the pinned Kubernetes API and its admission accept'));
      continue;
    }
    admitted++;
    for (const w of res.warnings.filter((x) => !podSecurityWarning.test(x))) findings.push(finding(o, 'apiserver/warning', '', `kube-apiserver warns: ${w}`, 'change the object so the pinned API server has nothing to warn of'));
    const refused = opts.pods === false ? undefined : await admitPodOf(api, { ...o, value });
    if (refused) findings.push(finding(o, refused.rule, refused.path, refused.message, refused.fix));
  }
  return { findings, notes, admitted };
}

const podSecurityWarning = /^would violate PodSecurity /;

/**
 * A namespaced object as it is applied: one without a namespace goes where kubectl apply puts it
 * with no namespace in the context, default. (A whole cluster's object without one is the
 * objects stage's finding already; a fragment's may be given its namespace by kustomize later.)
 */
function inNamespace(r: Resource, o: Record<string, unknown>): Record<string, unknown> {
  const meta = (o['metadata'] ?? {}) as Record<string, unknown>;
  return r.namespaced && !meta['namespace'] ? { ...o, metadata: { ...meta, namespace: 'default' } } : o;
}

/** Dry-runs the pod a workload's template makes, so admission judges it as it would the real one. */
async function admitPodOf(api: Client, o: ParsedObject): Promise<Pick<Finding, 'rule' | 'path' | 'message' | 'fix'> | undefined> {
  const pod = podSpecOf(o.value as unknown as Parameters<typeof podSpecOf>[0]);
  const meta = o.value['metadata'] as { name: string; namespace?: string };
  if (!pod || !meta.namespace) return undefined;
  const templatePath = pod.path.replace(/\.spec$/, '');
  const template = templatePath.split('.').reduce<unknown>((cur, k) => (cur as Record<string, unknown>)[k], o.value) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } };
  const name = `${String(o.value['kind']).toLowerCase()}-${meta.name}`.slice(0, 253);
  const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: meta.namespace, labels: template.metadata?.labels ?? {}, annotations: template.metadata?.annotations ?? {} }, spec: withClaims(o.value, pod.spec) };
  const res = await apply(api, objectUrl({ base: '/api/v1', name: 'pods', namespaced: true }, body, 'dryRun=All&fieldValidation=Strict'), body);
  if (res.status < 300) return undefined;
  const podSecurity = /PodSecurity/.test(res.value.message ?? '');
  return {
    rule: podSecurity ? 'apiserver/pod-security' : 'apiserver/pod-refused',
    path: pod.path,
    message: `kube-apiserver refuses the pods of this template (${res.status}): ${res.value.message}`,
    fix: podSecurity ? "make the pod template meet its namespace's enforced Pod Security level, or lower that level with a reason in packages/topology/src/facts/namespaces.ts" : 'make the pod template one the pinned API server admits as a Pod',
  };
}

/**
 * A StatefulSet's pod as its controller makes it: a volume per claim template, named as the
 * template, on the claim of that pod (updateStorage and getPersistentVolumeClaimName in
 * pkg/controller/statefulset/stateful_set_utils.go at the pinned Kubernetes).
 */
function withClaims(o: Record<string, unknown>, spec: object): object {
  if (o['kind'] !== 'StatefulSet') return spec;
  const set = o as { metadata: { name: string }; spec: { volumeClaimTemplates?: { metadata: { name: string } }[] } };
  const claims = (set.spec.volumeClaimTemplates ?? []).map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: `${c.metadata.name}-${set.metadata.name}-0` } }));
  const volumes = ((spec as { volumes?: { name: string }[] }).volumes ?? []).filter((v) => !claims.some((c) => c.name === v.name));
  return { ...spec, volumes: [...claims, ...volumes] };
}

/**
 * The admission stage of the validator: one API server per group of objects (the cluster
 * each is applied to), started side by side, each judging its group; stopped afterwards. Where the
 * control plane cannot be built here, one note says why.
 */
export async function checkAdmission(objects: readonly ParsedObject[], groupOf: (o: ParsedObject) => string, progress: Progress = stderrProgress): Promise<CheckResult> {
  let bins: Binaries;
  let crds: Record<string, unknown>[];
  try {
    bins = binaries(pinned, progress);
    crds = crdsIn(crdSources(pinned).map((s) => join(moduleDir(s.module, s.version), s.path)));
  } catch (err) {
    if (err instanceof UpstreamUnavailable) return { findings: [], notes: [`apiserver: skipped: ${err.message}`] };
    throw err;
  }
  const groups = new Map<string, ParsedObject[]>();
  for (const o of objects) groups.set(groupOf(o), [...(groups.get(groupOf(o)) ?? []), o]);
  const results = await Promise.all(
    [...groups].map(async ([name, group]) => {
      const cluster = await startCluster({ name: name.replace(/[^a-z0-9-]/g, '-') || 'cluster', binaries: bins, progress });
      try {
        return await admit(cluster.admin, group, { crds });
      } finally {
        await cluster.stop();
      }
    }),
  );
  return { findings: results.flatMap((r) => r.findings), notes: results.flatMap((r) => r.notes) };
}
