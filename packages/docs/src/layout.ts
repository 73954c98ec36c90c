import type { Rendered } from '@kubevirt-ci/synth';
import { instance } from '@viz-js/viz';
import { roleTitle } from './markdown.ts';

const q = (s: string) => `"${s.replaceAll('"', '\\"')}"`;
const anchor = (cluster: string) => q(`${cluster}/anchor`);
const box = (cluster: string) => q(`cluster_${cluster}`);

/** Edge colours by what flows along them, so the legend is the colours themselves. */
const flows = {
  gitops: '#2e7d32',
  jobs: '#c62828',
  metrics: '#00838f',
  webhooks: '#6a1b9a',
  storage: '#1565c0',
  images: '#ef6c00',
  notifications: '#5d4037',
  kubevirtci: '#ad1457',
} as const;

/**
 * The layout picture as Graphviz DOT: each Prow cluster a group with its components inside,
 * the external services and KubeVirtCI clusters outside, and arrows for what flows between
 * them. Everything is sorted, so the same topology always gives the same text.
 */
export function layoutDot(rendered: Rendered): string {
  const t = rendered.topology;
  const lines: string[] = [
    'digraph infra {',
    '  graph [rankdir=LR, compound=true, newrank=true, fontname="Helvetica", fontsize=13, nodesep=0.35, ranksep=1.1, pad=0.3, bgcolor="white"];',
    '  node [shape=box, style="rounded,filled", fillcolor="white", color="#90a4ae", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, penwidth=1.3, arrowsize=0.7];',
  ];

  for (const rc of rendered.clusters) {
    const c = rc.cluster;
    lines.push(
      `  subgraph ${box(c.name)} {`,
      `    label=<<b>${roleTitle(c.role)}</b><br/><font point-size="10">${c.name}</font>>;`,
      `    style="rounded,filled"; fillcolor="${c.hub ? '#e3f2fd' : '#f1f8e9'}"; color="${c.hub ? '#64b5f6' : '#9ccc65'}";`,
      `    ${anchor(c.name)} [shape=point, style=invis, width=0, label=""];`,
    );
    const components = [...new Set(c.apps.map(({ app }) => app.component))].sort();
    for (const comp of components) lines.push(`    ${q(`${c.name}/${comp}`)} [label=${q(comp)}];`);
    if (components.length === 0) lines.push(`    ${q(`${c.name}/empty`)} [label="no apps enabled yet", style="rounded,dashed", fontcolor="#78909c"];`);
    lines.push('  }');
  }

  const used = (svc: string) => rendered.clusters.some((rc) => rc.cluster.uses.services.includes(svc));
  const buckets = new Map<string, string[]>();
  for (const rc of rendered.clusters) {
    for (const p of rc.cluster.uses.buckets) {
      const b = t.external.gcs.buckets[p]!;
      const stores = buckets.get(b.name) ?? [];
      if (!stores.includes(b.stores)) stores.push(b.stores);
      buckets.set(b.name, stores);
    }
  }
  lines.push('  subgraph cluster_external {', '    label=<<b>External services</b>>; style="rounded,dashed"; color="#b0bec5";');
  if (used('github')) lines.push(`    github [label=${q(`GitHub\n${t.external.github.org}`)}, fillcolor="#f5f5f5"];`);
  for (const [name, stores] of [...buckets].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`    ${q(`gcs/${name}`)} [label=${q(`GCS ${name}\n${stores.join('\n')}`)}, shape=cylinder, style=filled, fillcolor="#e8eaf6"];`);
  }
  if (used('quay')) lines.push(`    quay [label=${q(`Quay\n${t.external.quay.registry}/${t.external.quay.org}`)}, fillcolor="#f5f5f5"];`);
  if (used('slack')) lines.push('    slack [label="Slack", fillcolor="#f5f5f5"];');
  lines.push('  }');

  const kubevirtci = Object.keys(t.kubevirtci).sort();
  if (kubevirtci.length > 0) {
    lines.push('  subgraph cluster_kubevirtci {', '    label=<<b>External KubeVirtCI</b><br/><b>clusters</b><br/><font point-size="9">own kubeconfig,<br/>one job at a time</font>>; style="rounded,dashed"; color="#f48fb1";');
    for (const k of kubevirtci) lines.push(`    ${q(`kubevirtci/${k}`)} [label=${q(t.kubevirtci[k]!.title)}, fillcolor="#fce4ec"];`);
    lines.push('  }');
  }

  const edge = (from: string, to: string, label: string, color: string, extra = '') =>
    lines.push(`  ${from} -> ${to} [label=${q(label)}, color="${color}", fontcolor="${color}"${extra ? `, ${extra}` : ''}];`);
  const hub = rendered.clusters.find((rc) => rc.cluster.hub);
  const argocd = hub?.cluster.apps.find(({ app }) => app.name === 'argocd');
  for (const rc of rendered.clusters) {
    const c = rc.cluster.name;
    const from = (extra = '') => `ltail=${box(c)}${extra}`;
    if (hub && argocd && !rc.cluster.hub) {
      edge(q(`${hub.cluster.name}/${argocd.app.component}`), anchor(c), 'syncs from git', flows.gitops, `lhead=${box(c)}, style=dashed`);
    }
    for (const cc of rc.cluster.connectedClusters) {
      // One arrow per pair, drawn from the hub's side when the hub is one end.
      const other = rendered.clusters.find((o) => o.cluster.name === cc.cluster);
      if (!other || (other.cluster.hub && !rc.cluster.hub) || (!rc.cluster.hub && !other.cluster.hub && other.cluster.name < c)) continue;
      edge(anchor(c), anchor(cc.cluster), 'schedules jobs', flows.jobs, `${from()}, lhead=${box(cc.cluster)}, penwidth=2`);
    }
    // Drawn cluster -> GitHub and reversed, so GitHub ranks with the other external services.
    if (rc.cluster.uses.services.includes('github')) edge(anchor(c), 'github', 'webhooks', flows.webhooks, `${from()}, dir=back`);
    for (const name of [...new Set(rc.cluster.uses.buckets.map((p) => t.external.gcs.buckets[p]!.name))].sort()) {
      edge(anchor(c), q(`gcs/${name}`), 'stores', flows.storage, from());
    }
    if (rc.cluster.uses.services.includes('quay')) edge(anchor(c), 'quay', 'pulls images', flows.images, from());
    if (rc.cluster.uses.services.includes('slack')) edge(anchor(c), 'slack', 'notifies', flows.notifications, from());
  }
  // Flows the apps declare, component to component or to the outside.
  for (const rc of rendered.clusters) {
    for (const { app, declared } of rc.cluster.apps) {
      const self = q(`${rc.cluster.name}/${app.component}`);
      for (const f of declared.flows) {
        const peer =
          'cluster' in f.peer
            ? q(`${f.peer.cluster}/${f.peer.component}`)
            : 'external' in f.peer
              ? f.peer.external
              : q(`gcs/${t.external.gcs.buckets[f.peer.bucket]?.name ?? f.peer.bucket}`);
        // Drawn away from the component and reversed for 'in', so outside peers rank to the right.
        edge(self, peer, f.label, flows[f.kind], f.direction === 'in' ? 'dir=back' : '');
      }
    }
  }
  // Any Prow cluster may run a job that connects out; one arrow per external cluster, from the
  // first workloads cluster (where e2e jobs run), keeps the picture readable.
  for (const k of kubevirtci) {
    const rc = rendered.clusters.find((x) => !x.cluster.hub) ?? hub;
    if (rc) edge(anchor(rc.cluster.name), q(`kubevirtci/${k}`), 'jobs connect', flows.kubevirtci, `ltail=${box(rc.cluster.name)}, style=dashed`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** docs/infra-layout.svg, laid out by Graphviz (compiled to WebAssembly). */
export async function layoutSvg(rendered: Rendered): Promise<string> {
  const viz = await instance();
  return viz.renderString(layoutDot(rendered), { format: 'svg', engine: 'dot' });
}
