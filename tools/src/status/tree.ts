/**
 * What Argo CD says of each Application, grouped per cluster in sync-wave order, and whether
 * the whole is ready. Works on Application objects as the API returns them, so it is tested on
 * recorded ones.
 */
import { conventions } from '@kubevirt-ci/topology';

export interface ApplicationObject {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly status?: {
    readonly sync?: { readonly status?: string };
    readonly health?: { readonly status?: string; readonly message?: string };
    readonly conditions?: readonly { readonly type?: string; readonly message?: string }[];
    readonly operationState?: { readonly phase?: string; readonly message?: string };
  };
}

export interface AppRow {
  readonly name: string;
  readonly wave: number;
  readonly sync: string;
  readonly health: string;
  /** Why it is not ready: a condition, a failed operation, or that Argo CD has no such Application. */
  readonly problem?: string;
}

export interface ClusterStatus {
  readonly cluster: string;
  readonly root: AppRow;
  readonly children: readonly AppRow[];
}

const clusterLabel = conventions.labels.cluster;
const waveAnnotation = conventions.annotations.syncWave;

export const isReady = (r: AppRow) => r.sync === 'Synced' && r.health === 'Healthy' && !r.problem;

function rowOf(app: ApplicationObject | undefined, name: string, wave: number): AppRow {
  if (!app) return { name, wave, sync: 'Missing', health: 'Missing', problem: 'Argo CD has no such Application yet (its root has not synced it)' };
  const s = app.status ?? {};
  const condition = s.conditions?.find((c) => c.type?.endsWith('Error') || c.type?.endsWith('Warning'));
  const failed = s.operationState?.phase === 'Failed' || s.operationState?.phase === 'Error' ? s.operationState.message : undefined;
  const problem = condition ? `${condition.type}: ${condition.message}` : failed ? `sync failed: ${failed}` : s.health?.status && s.health.status !== 'Healthy' && s.health.message ? s.health.message : undefined;
  return { name, wave, sync: s.sync?.status ?? 'Unknown', health: s.health?.status ?? 'Unknown', ...(problem ? { problem } : {}) };
}

/**
 * One entry per cluster the repository renders, with every Application it expects (root first,
 * then the children by wave and name), each with what Argo CD reports.
 */
export function clusterStatuses(expected: readonly { cluster: string; applications: readonly { name: string; wave: number }[] }[], live: readonly ApplicationObject[]): ClusterStatus[] {
  const byName = new Map(live.map((a) => [a.metadata.name, a]));
  return expected.map(({ cluster, applications }) => {
    const root = `${cluster}-root`;
    const children = applications
      .filter((a) => a.name !== root)
      .map((a) => rowOf(byName.get(a.name), a.name, Number(byName.get(a.name)?.metadata.annotations?.[waveAnnotation] ?? a.wave)))
      .sort((a, b) => a.wave - b.wave || a.name.localeCompare(b.name));
    return { cluster, root: rowOf(byName.get(root), root, 0), children };
  });
}

/** Applications Argo CD has that the repository does not render (left over, or someone's by hand). */
export function unexpected(expected: readonly { cluster: string; applications: readonly { name: string }[] }[], live: readonly ApplicationObject[]): string[] {
  const known = new Set(expected.flatMap((e) => e.applications.map((a) => a.name)));
  return live.filter((a) => a.metadata.labels?.[clusterLabel] !== undefined && !known.has(a.metadata.name)).map((a) => a.metadata.name).sort();
}

export function allReady(statuses: readonly ClusterStatus[]): boolean {
  return statuses.every((s) => isReady(s.root) && s.children.every(isReady));
}

/** The tree as text: a cluster per block, a line per Application, problems under their line. */
export function formatStatus(statuses: readonly ClusterStatus[]): string[] {
  // Roots are indented by two, children by four (with the tree's branch): align what follows.
  const width = Math.max(...statuses.flatMap((s) => [s.root.name.length + 2, ...s.children.map((r) => r.name.length + 4)]));
  const line = (r: AppRow, prefix: string) => {
    const mark = isReady(r) ? 'ok' : '!!';
    const out = [`${`${prefix}${r.name}`.padEnd(width)}  ${r.sync.padEnd(10)} ${r.health.padEnd(12)} ${mark}`];
    if (r.problem) out.push(`${' '.repeat(prefix.length + 2)}${r.problem}`);
    return out;
  };
  return statuses.flatMap((s) => {
    const ready = [s.root, ...s.children].filter(isReady).length;
    return [
      `${s.cluster}: ${ready} of ${s.children.length + 1} Applications Synced and Healthy`,
      ...line(s.root, '  '),
      ...s.children.flatMap((c, i) => line(c, i === s.children.length - 1 ? '  └ ' : '  ├ ')),
    ];
  });
}
