/**
 * What Argo CD would delete when an app leaves the topology (removed, or renamed, which is the
 * same to Argo CD: its Application goes). A model of Argo CD's rules, read from its source at
 * our pin, not Argo CD itself: an object whose Application is deleted goes unless it is a CRD
 * or says Delete=false (itself, or its Application's sync options: controller/appcontroller.go
 * shouldBeDeleted); an object dropped from an Application that stays is pruned unless it says
 * Prune=false (gitops-engine's sync). Release objects are not rendered here, so a release's
 * Application going is judged by its own options.
 */
import { TopologyError, type AppDefinition, type RoleSpec, type Topology } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { loadTopology, render, type Rendered } from '../src/index.ts';

const topology = await loadTopology();
const before = render(topology);

const syncOptions = (m: { metadata: Record<string, unknown> }) => ((m.metadata['annotations'] as Record<string, string> | undefined)?.['argocd.argoproj.io/sync-options'] ?? '').split(',');

/** The app and every app that needs it, so the topology stays valid without them. */
function withDependants(name: string, apps: readonly AppDefinition[]): Set<string> {
  const gone = new Set([name]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const a of apps) if (!gone.has(a.name) && a.requires.some((r) => gone.has(r))) grew = gone.add(a.name) !== undefined;
  }
  return gone;
}

function without(t: Topology, gone: ReadonlySet<string>): Topology {
  return { ...t, roles: t.roles.map((r): RoleSpec => ({ ...r, apps: r.apps.filter((b) => !gone.has(b.app.name)) })) };
}

/** Every object Argo CD would delete going from one rendering to the other, as 'cluster kind name'. */
function deleted(from: Rendered, to: Rendered): { objects: string[]; releases: string[] } {
  const objects: string[] = [];
  const releases: string[] = [];
  for (const rc of from.clusters) {
    const next = to.clusters.find((c) => c.cluster.name === rc.cluster.name);
    for (const part of rc.parts) {
      const app = rc.argo.find((o) => o.kind === 'Application' && o.metadata.name === `${rc.cluster.name}-${part.name}`)!;
      const appKeeps = ((app['spec'] as { syncPolicy: { syncOptions: string[] } }).syncPolicy.syncOptions ?? []).includes('Delete=false');
      const stays = next?.parts.find((p) => p.name === part.name);
      if (!stays && part.release && !appKeeps) releases.push(`${rc.cluster.name} ${part.name}`);
      for (const m of part.objects) {
        const key = `${rc.cluster.name} ${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
        const kept = stays?.objects.some((o) => o.kind === m.kind && o.metadata.name === m.metadata.name && o.metadata.namespace === m.metadata.namespace);
        if (kept) continue;
        const options = syncOptions(m);
        const goes = stays ? !options.includes('Prune=false') : m.kind !== 'CustomResourceDefinition' && !options.includes('Delete=false') && !(appKeeps && !options.includes('Delete=true'));
        if (goes) objects.push(key);
      }
    }
  }
  return { objects, releases };
}

describe('removing an app from the topology', () => {
  const apps = [...new Set(topology.roles.flatMap((r) => r.apps.map((b) => b.app.name)))].sort();

  it.each(apps)('%s: synth refuses, or Argo CD deletes no namespace, not itself, and no release but the removed apps\' own', (name) => {
    const gone = withDependants(name, topology.apps);
    let after: Rendered;
    try {
      after = render(without(topology, gone));
    } catch (err) {
      // Refused with what to do (jobs still use its preset, say): nothing is written, nothing deleted.
      expect(err).toBeInstanceOf(TopologyError);
      return;
    }
    const d = deleted(before, after);
    expect(d.objects.filter((o) => / Namespace /.test(o))).toEqual([]);
    const own = new Set(before.clusters.flatMap((rc) => rc.parts.filter((p) => p.release && p.app !== undefined && gone.has(p.app)).map((p) => `${rc.cluster.name} ${p.name}`)));
    expect(d.releases.filter((r) => !own.has(r) || r.endsWith(' argocd-release'))).toEqual([]);
  });

  it('covers the apps that can go, Argo CD among them, and refuses those jobs or exposed hosts still need', () => {
    const removable = apps.filter((name) => {
      try {
        render(without(topology, withDependants(name, topology.apps)));
        return true;
      } catch {
        return false;
      }
    });
    // Whether an app can go depends on the topology (a cluster's own values for it, say); Argo CD's can.
    expect(removable).toContain('argocd');
    // Jobs name the presets of the caches, and the hub's hosts need certificates.
    expect(apps.filter((a) => !removable.includes(a))).toEqual(expect.arrayContaining(['cert-manager', 'docker-proxy', 'greenhouse']));
  });

  it('keeps every namespace and Argo CD when every Application goes (a cluster renamed, the roots deleted)', () => {
    const none: Rendered = { ...before, clusters: [] };
    const d = deleted(before, none);
    expect(d.objects.length).toBeGreaterThan(100);
    expect(d.objects.filter((o) => / Namespace /.test(o))).toEqual([]);
    expect(d.releases.filter((r) => r.endsWith(' argocd-release'))).toEqual([]);
    // Each namespace says so itself, not only through its Application.
    const namespaces = before.clusters.flatMap((rc) => rc.parts.flatMap((p) => p.objects.filter((m) => m.kind === 'Namespace')));
    expect(namespaces.length).toBeGreaterThan(0);
    expect(namespaces.filter((m) => !syncOptions(m).includes('Delete=false')).map((m) => m.metadata.name)).toEqual([]);
  });

  it('would keep Argo CD if its app left: its release Application says Delete=false', () => {
    expect(apps).toContain('argocd');
    const d = deleted(before, render(without(topology, withDependants('argocd', topology.apps))));
    expect(d.releases.filter((r) => r.includes('argocd'))).toEqual([]);
    // Without the option, the model sees the release go: the check can fail.
    const bare = { ...before, clusters: before.clusters.map((rc) => ({ ...rc, argo: rc.argo.map((o) => (o.metadata.name.endsWith('-argocd-release') ? { ...o, spec: { ...(o['spec'] as object), syncPolicy: { syncOptions: [] } } } : o)) })) };
    expect(deleted(bare, render(without(topology, withDependants('argocd', topology.apps)))).releases).toEqual(['ibm-prow-jobs argocd-release']);
  });
});
