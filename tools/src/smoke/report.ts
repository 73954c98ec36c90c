/**
 * What the smoke test prints when the clusters do not come up: what Argo CD says of each
 * Application that is not ready and of its unhealthy resources, the recent warning events, and
 * which pods to show the logs of. Works on objects as the API returns them, so it is tested on
 * recorded ones.
 */
import type { ApplicationObject } from '../status/tree.ts';

export interface AppWithResources extends ApplicationObject {
  readonly status?: ApplicationObject['status'] & {
    readonly resources?: readonly { readonly kind: string; readonly namespace?: string; readonly name: string; readonly health?: { readonly status?: string; readonly message?: string } }[];
  };
}

export interface EventObject {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  readonly lastTimestamp?: string | null;
  readonly eventTime?: string | null;
  readonly metadata?: { readonly creationTimestamp?: string };
  readonly involvedObject: { readonly kind?: string; readonly namespace?: string; readonly name?: string };
}

export interface PodObject {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
    readonly containerStatuses?: readonly {
      readonly name: string;
      readonly ready: boolean;
      readonly restartCount: number;
      readonly state?: { readonly waiting?: { readonly reason?: string; readonly message?: string }; readonly terminated?: { readonly reason?: string; readonly exitCode?: number } };
    }[];
  };
}

const when = (e: EventObject) => e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';

/** Each Application that is not Synced and Healthy, with its conditions and unhealthy resources. */
export function applicationLines(apps: readonly AppWithResources[]): string[] {
  const lines: string[] = [];
  for (const app of [...apps].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const s = app.status ?? {};
    if (s.sync?.status === 'Synced' && s.health?.status === 'Healthy' && !(s.conditions ?? []).length) continue;
    lines.push(`${app.metadata.name}: ${s.sync?.status ?? 'Unknown'}, ${s.health?.status ?? 'Unknown'}${s.health?.message ? ` (${s.health.message})` : ''}`);
    for (const c of s.conditions ?? []) lines.push(`  condition ${c.type}: ${c.message}`);
    if (s.operationState?.phase && s.operationState.phase !== 'Succeeded') lines.push(`  last sync ${s.operationState.phase}: ${s.operationState.message ?? ''}`);
    for (const r of s.resources ?? []) {
      if (!r.health?.status || r.health.status === 'Healthy') continue;
      lines.push(`  ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}: ${r.health.status}${r.health.message ? ` (${r.health.message})` : ''}`);
    }
  }
  return lines;
}

/** The latest warning events, oldest first. */
export function eventLines(events: readonly EventObject[], limit = 40): string[] {
  return events
    .filter((e) => e.type === 'Warning')
    .sort((a, b) => when(a).localeCompare(when(b)))
    .slice(-limit)
    .map((e) => {
      const o = e.involvedObject;
      return `${when(e)}  ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}  ${e.reason}: ${e.message?.trim()}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`;
    });
}

/** Pods that should run and are not ready, with why, for their logs to be shown. */
export function failingPods(pods: readonly PodObject[]): { pod: PodObject; why: string }[] {
  return pods
    .filter((p) => p.status?.phase !== 'Succeeded' && !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((pod) => {
      const containers = (pod.status?.containerStatuses ?? []).filter((c) => !c.ready);
      const reasons = containers.map((c) => {
        const reason = c.state?.waiting?.reason ?? (c.state?.terminated ? `${c.state.terminated.reason} (exit ${c.state.terminated.exitCode})` : 'not ready');
        return `${c.name} ${reason}${c.restartCount > 0 ? `, ${c.restartCount} restarts` : ''}`;
      });
      return { pod, why: reasons.length > 0 ? reasons.join('; ') : (pod.status?.phase ?? 'Unknown') };
    })
    .sort((a, b) => `${a.pod.metadata.namespace}/${a.pod.metadata.name}`.localeCompare(`${b.pod.metadata.namespace}/${b.pod.metadata.name}`));
}
