import type { Rendered, RenderedCluster } from '@kubevirt-ci/synth';
import type { ResolvedTopology } from '@kubevirt-ci/topology';
import { inventoryOf } from './inventory.ts';

/** 'control-plane' -> 'Control plane'. */
export function roleTitle(role: string): string {
  const words = role.replaceAll('-', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function cell(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return 'None.\n';
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
}

function bullets(items: readonly string[]): string {
  return items.length === 0 ? 'None.\n' : items.map((i) => `* ${i}`).join('\n') + '\n';
}

const code = (s: string) => `\`${s}\``;

function externalServices(t: ResolvedTopology, rc: RenderedCluster): string[] {
  const items: string[] = [];
  const { uses } = rc.cluster;
  const described = (name: string) => (t.external as Record<string, { description: string }>)[name]?.description ?? '';
  if (uses.services.includes('github')) items.push(`GitHub (org ${code(t.external.github.org)}): ${described('github')}.`);
  if (uses.buckets.length > 0) {
    const byBucket = new Map<string, string[]>();
    for (const purpose of uses.buckets) {
      const b = t.external.gcs.buckets[purpose]!;
      byBucket.set(b.name, [...(byBucket.get(b.name) ?? []), b.stores]);
    }
    const lines = [...byBucket].map(([name, stores]) => `  * ${code(`gs://${name}`)}: ${stores.join(', ')}`);
    items.push(`GCS: we use buckets to store:\n${lines.join('\n')}`);
  }
  if (uses.services.includes('quay')) items.push(`Quay (${code(`${t.external.quay.registry}/${t.external.quay.org}`)}): ${described('quay')}.`);
  if (uses.services.includes('slack')) items.push(`Slack: ${described('slack')}.`);
  return items;
}

function clusterSection(t: ResolvedTopology, rc: RenderedCluster): string {
  const c = rc.cluster;
  const role = t.roles.find((r) => r.role === c.role)!;
  const inv = inventoryOf(t, rc);
  const components = c.apps.map(({ app }) => `${app.component}: ${app.description}.`);
  const connected = c.connectedClusters.map((cc) => `${code(cc.cluster)}: ${cc.why}.`);
  const exposed = c.exposes.map((name) => {
    const ex = t.exposedServices[name]!;
    return `${name}: ${ex.description}, available at https://${ex.host}`;
  });
  return [
    `### ${roleTitle(c.role)}: ${code(c.name)}\n`,
    `${role.description}\n`,
    `${c.description}\n`,
    `#### Context\n\n${c.name}\n`,
    `#### Components\n\n${bullets(components)}`,
    `#### External services\n\n${bullets(externalServices(t, rc))}`,
    `#### Connected clusters\n\n${bullets(connected)}`,
    `#### Exposed services\n\n${bullets(exposed)}`,
    `#### What is rendered\n\nFrom ${code(`${c.manifestsDir}/`)}, synced by Argo CD as ${c.hub ? code('in-cluster') : `destination ${code(c.destination)}`}.\n`,
    `Applications, in sync-wave order:\n\n${table(['Application', 'Wave', 'Source'], inv.applications.map((a) => [code(a.name), String(a.wave), a.source]))}`,
    `Namespaces:\n\n${table(['Namespace', 'Pod security', 'Purpose'], inv.namespaces.map((n) => [code(n.name), n.podSecurity, n.purpose]))}`,
    `Images:\n\n${table(['Image', 'Version', 'Used by'], inv.images.map((i) => [code(i.image), code(i.version), i.usedBy.join(', ')]))}`,
    `Hostnames:\n\n${table(['Host', 'Service', 'TLS Secret (from cert-manager)'], inv.hosts.map((h) => [h.host, code(h.service), code(h.tlsSecret)]))}`,
    `Volumes:\n\n${table(['Volume', 'Kind', 'Size', 'Used by'], inv.volumes.map((v) => [code(v.name), v.kind, v.size, v.usedBy]))}`,
    `Objects that must be provided (never in git):\n\n${table(['Namespace', 'Kind', 'Name', 'Keys', 'Used by'], inv.provided.map((s) => [code(s.namespace), s.kind, code(s.name), `${s.keys.map(code).join(', ') || '(all)'}${s.contexts ? ` (contexts ${s.contexts.map(code).join(', ')})` : ''}`, s.usedBy.join(', ')]))}`,
    `Job presets (a job sets the label to "true"):\n\n${table(['Label', 'Sets', 'Points at'], inv.presets.map((p) => [code(p.label), p.sets.map(code).join('<br>'), p.pointsAt.map(code).join(', ')]))}`,
  ].join('\n');
}

function kubevirtciSection(t: ResolvedTopology): string {
  const clusters = Object.values(t.kubevirtci).map((k) =>
    [
      `### ${k.title}\n`,
      `${k.description.charAt(0).toUpperCase()}${k.description.slice(1)}.\n`,
      bullets([
        `Kubeconfig: Secret ${code(k.kubeconfigSecret.name)}, key ${code(k.kubeconfigSecret.key)}, provided separately; it is not in Prow's kubeconfig.`,
        `At most ${k.maxConcurrency} job at a time: every job that uses the cluster has ${code(`max_concurrency: ${k.maxConcurrency}`)}.`,
      ]),
    ].join('\n'),
  );
  return [
    '## External KubeVirtCI clusters\n',
    'Jobs are scheduled on one of the Prow clusters above and, while they run, connect to one of these through the external provider of KubeVirtCI. Such a job does not create its own KubeVirtCI cluster, so each of these clusters runs one job at a time.\n',
    ...clusters,
  ].join('\n');
}

/** docs/infrastructure.md: the seed document's fields per cluster, then what is rendered there. */
export function infrastructureDoc(rendered: Rendered): string {
  const t = rendered.topology;
  return [
    '# KubeVirt CI infrastructure\n',
    "<!-- Generated by 'pnpm run docs' from the topology and the rendered manifests; edit those, not this file. CI fails when it is stale. -->\n",
    'The infrastructure that runs KubeVirt\'s CI: Prow and the services around it, on the clusters below. Everything here is generated from the same model that renders the manifests Argo CD syncs, so it cannot list a component that is not deployed.\n',
    '## Layout\n',
    '![infra-layout](infra-layout.svg)\n',
    '## Prow clusters\n',
    'Prow schedules jobs on each of these clusters. For each cluster this document gives its Prow context (its name in Prow\'s kubeconfig and the `cluster:` of its jobs), its components, the external services they need, the clusters it is connected to, and its exposed services. It then lists what is actually rendered for the cluster.\n',
    ...rendered.clusters.map((rc) => clusterSection(t, rc)),
    kubevirtciSection(t),
  ].join('\n');
}
