import { byText, containersOf, get, ingressClientCaSecret, podSpecOf, remoteWriteSecrets, secretRefsOf, splitImage } from '@kubevirt-ci/kube';
import type { Manifest, RenderedCluster } from '@kubevirt-ci/synth';
import type { ResolvedTopology } from '@kubevirt-ci/topology';

/** What is actually rendered on one cluster, read off its objects rather than its intent. */
export interface Inventory {
  readonly applications: readonly { name: string; wave: number; source: string }[];
  readonly namespaces: readonly { name: string; podSecurity: string; purpose: string }[];
  readonly images: readonly { image: string; version: string; usedBy: readonly string[] }[];
  readonly hosts: readonly { host: string; service: string; tlsSecret: string }[];
  readonly volumes: readonly { name: string; kind: string; size: string; usedBy: string }[];
  /** Secrets pods read that nothing on the cluster creates, and every declared provided object. */
  readonly provided: readonly { kind: string; namespace: string; name: string; keys: readonly string[]; usedBy: readonly string[]; contexts?: readonly string[] }[];
  /** The Prow job presets the cluster offers its jobs. */
  readonly presets: readonly { label: string; sets: readonly string[]; pointsAt: readonly string[] }[];
}


export { splitImage } from '@kubevirt-ci/kube';

function qualified(m: Manifest): string {
  return `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
}


export function inventoryOf(t: ResolvedTopology, rc: RenderedCluster): Inventory {
  const objects = rc.parts.flatMap((p) => p.objects);
  const applications = [...rc.parts].sort((a, b) => a.wave - b.wave || byText(a.name, b.name)).map((p) => ({
    name: `${rc.cluster.name}-${p.name}`,
    wave: p.wave,
    source:
      p.source.type === 'rendered'
        ? `${p.source.path}/`
        : p.source.type === 'helm'
          ? `${p.source.repoURL} chart ${p.source.chart} ${p.source.version}`
          : `${p.source.repoURL} ${p.source.path} at ${p.source.revision}`,
  }));
  const namespaces = rc.namespaces.map((name) => ({ name, podSecurity: t.namespaces[name]?.podSecurity ?? '?', purpose: t.namespaces[name]?.purpose ?? '' }));

  const images = new Map<string, { image: string; version: string; usedBy: Set<string> }>();
  const volumes: Inventory['volumes'][number][] = [];
  const secretUse = new Map<string, { kind: string; namespace: string; name: string; keys: Set<string>; usedBy: Set<string>; contexts?: readonly string[] }>();
  const claimUse = new Map<string, string[]>();
  const configMapUse = new Map<string, string[]>();
  const use = (map: Map<string, string[]>, key: string, who: string) => map.set(key, [...(map.get(key) ?? []), who]);
  const useImage = (ref: string, who: string) => {
    const [image, version] = splitImage(ref);
    const entry = images.get(ref) ?? { image, version, usedBy: new Set<string>() };
    entry.usedBy.add(who);
    images.set(ref, entry);
  };
  const useSecret = (namespace: string, name: string, keys: Iterable<string>, who: string) => {
    const key = `${namespace}/${name}`;
    const entry = secretUse.get(key) ?? { kind: 'Secret', namespace, name, keys: new Set<string>(), usedBy: new Set<string>() };
    for (const k of keys) entry.keys.add(k);
    entry.usedBy.add(who);
    secretUse.set(key, entry);
  };
  const rendered = new Set(objects.filter((m) => m.kind === 'Secret').map((m) => `${m.metadata.namespace}/${m.metadata.name}`));
  for (const m of objects) {
    if (m.kind === 'Certificate') rendered.add(`${m.metadata.namespace}/${get(m, 'spec', 'secretName')}`);
  }

  for (const m of objects) {
    if (m.kind === 'PersistentVolumeClaim') {
      volumes.push({ name: `${m.metadata.namespace}/${m.metadata.name}`, kind: 'PersistentVolumeClaim', size: String(get(m, 'spec', 'resources', 'requests', 'storage') ?? '?'), usedBy: '' });
      continue;
    }
    if (m.kind === 'PersistentVolume') {
      const path = get(m, 'spec', 'local', 'path') ?? get(m, 'spec', 'hostPath', 'path');
      const claim = get(m, 'spec', 'claimRef') as { namespace?: string; name?: string } | undefined;
      volumes.push({ name: m.metadata.name, kind: `PersistentVolume${path ? ` at ${path}` : ''}`, size: String(get(m, 'spec', 'capacity', 'storage') ?? '?'), usedBy: claim ? `claim ${claim.namespace}/${claim.name}` : '' });
    }
    if (m.kind === 'StatefulSet') {
      const replicas = Number(get(m, 'spec', 'replicas') ?? 1);
      for (const tmpl of (get(m, 'spec', 'volumeClaimTemplates') as Manifest[] | undefined) ?? []) {
        volumes.push({ name: `${m.metadata.namespace}/${tmpl.metadata.name}`, kind: `volumeClaimTemplate x ${replicas}`, size: String(get(tmpl, 'spec', 'resources', 'requests', 'storage') ?? '?'), usedBy: qualified(m) });
      }
    }
    // prometheus-operator runs these: their images, volume and Secrets are the cluster's too.
    if (m.kind === 'Prometheus' || m.kind === 'Alertmanager' || m.kind === 'AlertmanagerConfig') {
      for (const ref of [get(m, 'spec', 'image'), get(m, 'spec', 'thanos', 'image')]) if (typeof ref === 'string') useImage(ref, qualified(m));
      const claim = get(m, 'spec', 'storage', 'volumeClaimTemplate', 'spec', 'resources', 'requests', 'storage');
      if (claim !== undefined) volumes.push({ name: `${m.metadata.namespace}/${m.kind.toLowerCase()}-${m.metadata.name}-db`, kind: `volumeClaimTemplate x ${Number(get(m, 'spec', 'replicas') ?? 1)}`, size: String(claim), usedBy: qualified(m) });
      const secrets: [string, string | undefined][] = [
        ...((get(m, 'spec', 'secrets') as string[] | undefined) ?? []).map((n): [string, string | undefined] => [n, undefined]),
        [String(get(m, 'spec', 'thanos', 'objectStorageConfig', 'name') ?? ''), get(m, 'spec', 'thanos', 'objectStorageConfig', 'key') as string | undefined],
        ...((get(m, 'spec', 'receivers') as unknown[] | undefined) ?? []).flatMap((r) =>
          ((get(r, 'slackConfigs') as unknown[] | undefined) ?? []).map((c): [string, string | undefined] => [String(get(c, 'apiURL', 'name') ?? ''), get(c, 'apiURL', 'key') as string | undefined]),
        ),
        ...remoteWriteSecrets(m).map((ref): [string, string | undefined] => [ref.name, ref.key]),
      ];
      for (const [name, key] of secrets) if (name) useSecret(m.metadata.namespace ?? '', name, key ? [key] : [], qualified(m));
    }
    const clientCa = m.kind === 'Ingress' ? ingressClientCaSecret(m) : undefined;
    if (clientCa) useSecret(clientCa.namespace ?? '', clientCa.name, ['ca.crt'], qualified(m));
    const pod = podSpecOf(m);
    if (!pod) continue;
    for (const c of containersOf(pod.spec)) {
      if (c.image) useImage(c.image, qualified(m));
    }
    for (const v of pod.spec.volumes ?? []) {
      if (v.hostPath?.path) volumes.push({ name: `${m.metadata.namespace}/${v.name}`, kind: `hostPath ${v.hostPath.path}`, size: '(node disk)', usedBy: qualified(m) });
      if (v.persistentVolumeClaim?.claimName) use(claimUse, `${m.metadata.namespace}/${v.persistentVolumeClaim.claimName}`, qualified(m));
      if (v.configMap?.name) use(configMapUse, `${m.metadata.namespace}/${v.configMap.name}`, qualified(m));
    }
    for (const [name, keys] of secretRefsOf(pod.spec)) {
      if (!rendered.has(`${m.metadata.namespace}/${name}`)) useSecret(m.metadata.namespace ?? '', name, keys, qualified(m));
    }
  }

  const hosts = rc.cluster.exposes.map((name) => {
    const ex = t.exposedServices[name]!;
    return { host: ex.host, service: `${ex.namespace}/${ex.service}:${ex.port}`, tlsSecret: `${ex.namespace}/${name}-tls` };
  });

  // Declared objects are listed whether or not a pod reads them yet, with the keys they must hold.
  for (const p of rc.provided) {
    const key = `${p.kind === 'Secret' ? '' : `${p.kind}:`}${p.namespace}/${p.name}`;
    const entry = secretUse.get(key) ?? { kind: p.kind, namespace: p.namespace, name: p.name, keys: new Set<string>(), usedBy: new Set<string>(p.kind === 'ConfigMap' ? configMapUse.get(`${p.namespace}/${p.name}`) : []) };
    p.keys.forEach((k) => entry.keys.add(k));
    secretUse.set(key, p.contexts ? { ...entry, contexts: p.contexts } : entry);
  }
  const presets = rc.presets.map(({ preset: p }) => ({
    label: p.label,
    sets: [...p.env.map((e) => `${e.name}=${e.value}`), ...p.volumeMounts.map((m) => `${m.mountPath} (${m.name})`)],
    pointsAt: p.services.map((s) => `${s.namespace}/${s.name}:${s.port}`),
  }));

  return {
    applications,
    namespaces,
    images: [...images.values()].map((i) => ({ ...i, usedBy: [...i.usedBy].sort(byText) })).sort((a, b) => byText(a.image + a.version, b.image + b.version)),
    hosts,
    volumes: volumes
      .map((v) => (v.kind === 'PersistentVolumeClaim' ? { ...v, usedBy: (claimUse.get(v.name) ?? []).join(', ') } : v))
      .sort((a, b) => byText(a.name, b.name)),
    provided: [...secretUse.values()]
      .map((s) => ({ ...s, keys: [...s.keys].sort(byText), usedBy: [...s.usedBy].sort(byText) }))
      .sort((a, b) => byText(`${a.namespace}/${a.kind}/${a.name}`, `${b.namespace}/${b.kind}/${b.name}`)),
    presets,
  };
}
