import { get, objectsIn } from '@kubevirt-ci/kube';
import { jobsNamespace, prowBuildCluster, prowBuildClusters, type JobPreset, type Problems } from '@kubevirt-ci/topology';
import type { RenderedCluster } from './render.ts';

/** A preset as one cluster's app offers it. */
export interface OfferedPreset {
  readonly app: string;
  readonly file: string;
  readonly preset: JobPreset;
}

/** The clusters Prow runs jobs on: the same rule as prowBuildClusters(), on rendered clusters. */
export function buildClusters(clusters: readonly RenderedCluster[]): RenderedCluster[] {
  const names = new Set(prowBuildClusters({ clusters: clusters.map((rc) => rc.cluster) }).map((c) => c.name));
  return clusters.filter((rc) => names.has(rc.cluster.name));
}

/**
 * Checks every job preset against what is rendered where jobs run: each Service it points at
 * exists on the cluster with that port; each ConfigMap and Secret it mounts is rendered or
 * provided in the jobs namespace; and, because Prow applies a preset on every build cluster,
 * each build cluster offers the same presets with the same content.
 */
export function checkPresets(clusters: readonly RenderedCluster[], problems: Problems): void {
  const builders = buildClusters(clusters);
  const offered = new Map<string, { cluster: string; offer: OfferedPreset; json: string }[]>();
  for (const rc of clusters) {
    const objects = rc.parts.flatMap((p) => p.objects);
    const has = (kind: string, ns: string, name: string) =>
      objects.some((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name) ||
      rc.provided.some((p) => p.kind === kind && p.namespace === ns && p.name === name);
    for (const offer of rc.presets) {
      const { preset, file } = offer;
      const object = `job preset "${preset.label}" of app "${offer.app}" on cluster "${rc.cluster.name}"`;
      if (!builders.includes(rc)) {
        problems.add({ file, object, field: 'jobPresets()', message: `the cluster runs no jobs (no app on it provides "${prowBuildCluster}")`, fix: 'offer the preset only where jobs run, or enable the build-cluster app on the role' });
      }
      preset.services.forEach((ref, i) => {
        const svc = objects.find((o) => o.kind === 'Service' && o.metadata.namespace === ref.namespace && o.metadata.name === ref.name);
        const ports = objectsIn(get(svc, 'spec', 'ports')).map((p) => p['port']);
        if (!svc) {
          problems.add({ file, object, field: `services[${i}]`, message: `points jobs at Service ${ref.namespace}/${ref.name}, which the cluster does not render`, fix: 'render the Service on every cluster that offers the preset, or point the preset at one that exists' });
        } else if (!ports.includes(ref.port)) {
          problems.add({ file, object, field: `services[${i}].port`, message: `Service ${ref.namespace}/${ref.name} has no port ${ref.port} (it has ${ports.join(', ') || 'none'})`, fix: "take the port from the Service's own definition" });
        }
      });
      preset.volumes.forEach((v, i) => {
        const ref = v.configMap ? (['ConfigMap', v.configMap.name] as const) : v.secret ? (['Secret', v.secret.secretName] as const) : undefined;
        if (ref && !has(ref[0], jobsNamespace, ref[1])) {
          problems.add({ file, object, field: `volumes[${i}]`, message: `mounts ${ref[0]} ${jobsNamespace}/${ref[1]}, which is neither rendered nor provided on the cluster`, fix: `render it in ${jobsNamespace}, or declare it in provided()` });
        }
      });
      const list = offered.get(preset.label) ?? [];
      list.push({ cluster: rc.cluster.name, offer, json: JSON.stringify(preset) });
      offered.set(preset.label, list);
    }
  }
  for (const [label, offers] of offered) {
    const first = offers[0]!;
    for (const rc of builders) {
      const mine = offers.find((o) => o.cluster === rc.cluster.name);
      if (!mine) {
        problems.add({ file: rc.cluster.source, object: `cluster "${rc.cluster.name}"`, field: 'apps', message: `runs jobs but does not offer job preset "${label}" (app "${first.offer.app}" offers it on ${first.cluster}); Prow applies presets on every build cluster, so its jobs would get a broken one`, fix: `enable app "${first.offer.app}" on role "${rc.cluster.role}"` });
      } else if (mine.json !== first.json) {
        problems.add({ file: mine.offer.file, object: `job preset "${label}" on cluster "${rc.cluster.name}"`, field: 'jobPresets()', message: `differs from the same preset on cluster "${first.cluster}"; Prow has one definition per preset`, fix: 'make the preset independent of per-cluster values' });
      }
    }
  }
}

/** Every preset once, for Prow's config, in label order. */
export function presetsOf(clusters: readonly RenderedCluster[]): JobPreset[] {
  const byLabel = new Map<string, JobPreset>();
  for (const rc of clusters) for (const o of rc.presets) byLabel.set(o.preset.label, o.preset);
  return [...byLabel.values()].sort((a, b) => a.label.localeCompare(b.label));
}
