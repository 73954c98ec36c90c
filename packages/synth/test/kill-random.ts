/**
 * For the random kill test: renders this repository's topology as it is ('old') or with one
 * image tag changed on both roles ('new'), says "writing" on stdout, writes it into a root and
 * says "wrote". The test kills it with SIGKILL at a random moment of the write.
 */
import { writeSync } from 'node:fs';
import type { Topology } from '@kubevirt-ci/topology';
import { loadTopology, render, writeManifests } from '../src/index.ts';

/** The variant: Prometheus, which both roles run, one patch release on. */
export const variant = (t: Topology): Topology => ({ ...t, versions: { ...t.versions, prometheus: t.versions.prometheus.replace(/\d+$/, (p) => String(Number(p) + 1)) } });

const [root, which] = process.argv.slice(2);
if (root && (which === 'old' || which === 'new')) {
  const base = await loadTopology();
  const rendered = render(which === 'new' ? variant(base) : base);
  writeSync(1, 'writing\n');
  writeManifests(root, rendered);
  writeSync(1, 'wrote\n');
}
