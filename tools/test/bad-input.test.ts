/**
 * Wrong values as a new user would write them in a role's file, each refused before anything
 * is written, with the file, the object and the field to fix; never a stack trace.
 */
import { generatedJobFile, loadJobTree } from '@kubevirt-ci/app-prow/jobs';
import { loadTopology, render } from '@kubevirt-ci/synth';
import { mergeValues, TopologyError, type ClusterSpec, type Topology } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';

const base = await loadTopology();
const workloads = 'clusters/workloads/src/index.ts';
const controlPlane = 'clusters/control-plane/src/index.ts';
const versions = 'packages/topology/src/facts/versions.ts';

type Change = (t: Topology) => Topology;
const onCluster =
  (name: string, change: Record<string, unknown>): Change =>
  (t) => ({ ...t, roles: t.roles.map((r) => ({ ...r, clusters: r.clusters.map((c) => (c.name === name ? ({ ...c, ...change } as unknown as ClusterSpec) : c)) })) });
const onApp =
  (role: string, app: string, values: unknown): Change =>
  (t) => ({ ...t, roles: t.roles.map((r) => (r.role !== role ? r : { ...r, apps: r.apps.map((b) => (b.app.name === app ? { ...b, values: mergeValues(b.values, values) as Record<string, unknown> } : b)) })) });

/** The first periodic of kubevirt's periodics file changed, as the control plane's Prow renders it. */
const jobs = loadJobTree().files;
const periodics = jobs.find((f) => f.file === 'kubevirt-periodics.yaml')!;
const kubevirtJobs = periodics.source;
const periodic = `job "${periodics.config.periodics![0]!.name}"`;
const onPeriodic = (change: Record<string, unknown>): Change =>
  onApp('control-plane', 'prow', {
    jobs: jobs.map((f) => (f !== periodics ? f : generatedJobFile(f.file, f.source, { ...f.config, periodics: f.config.periodics!.map((p, i) => (i === 0 ? { ...p, ...change } : p)) }))),
  });

/** The problem rows for one app's fields, on every cluster of its role (however many the role has). */
const onEvery = (role: string, app: string, fields: string[]) =>
  base.roles.find((r) => r.role === role)!.clusters.flatMap((c) => fields.map((f) => [role === 'workloads' ? workloads : controlPlane, `cluster "${c.name}", app "${app}"`, f]));

/** Every problem render reports, as [file, object, field]; anything but a TopologyError fails the test. */
function refusal(change: Change): string[][] {
  try {
    render(change(base));
  } catch (err) {
    if (!(err instanceof TopologyError)) throw err;
    return err.problems.map((p) => [p.file, p.object, p.field]);
  }
  return [];
}

const cases: [string, Change, string[][]][] = [
  ["a cluster's exposes given as a string", onCluster('ibm-prow-jobs', { exposes: 'deck' }), [[controlPlane, 'cluster "ibm-prow-jobs"', 'exposes']]],
  ['uses without buckets', onCluster('prow-workloads', { uses: { services: ['quay'] } }), [[workloads, 'cluster "prow-workloads"', 'uses.buckets']]],
  ['a description that is a number', onCluster('prow-workloads', { description: 42 }), [[workloads, 'cluster "prow-workloads"', 'description']]],
  ['an ingressClassName with a space', onCluster('ibm-prow-jobs', { ingressClassName: 'public iks' }), [[controlPlane, 'cluster "ibm-prow-jobs"', 'ingressClassName']]],
  [
    'the same connected cluster twice',
    onCluster('prow-workloads', { connectedClusters: [{ cluster: 'ibm-prow-jobs', why: 'jobs' }, { cluster: 'ibm-prow-jobs', why: 'state' }] }),
    [[workloads, 'cluster "prow-workloads"', 'connectedClusters[1].cluster']],
  ],
  ['a volume of 99999999Pi', onApp('workloads', 'greenhouse', { storage: { size: '99999999Pi' } }), onEvery('workloads', 'greenhouse', ['values.storage.size'])],
  ['a memory of 100000Ti', onApp('workloads', 'docker-proxy', { resources: { requests: { memory: '100000Ti' }, limits: { memory: '100000Ti' } } }), onEvery('workloads', 'docker-proxy', ['values.resources.requests.memory', 'values.resources.limits.memory'])],
  ["a CPU of 'four'", onApp('workloads', 'docker-proxy', { resources: { requests: { cpu: 'four' } } }), onEvery('workloads', 'docker-proxy', ['values.resources.requests.cpu'])],
  ['an unknown Prow component in resources', onApp('control-plane', 'prow', { resources: { dek: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } } } }), onEvery('control-plane', 'prow', ['values.resources.dek'])],
  ['a shell command in dockerOptions', onApp('workloads', 'docker-proxy', { dockerOptions: ['--mtu=1450', '"; touch /tmp/pwned; echo "'] }), onEvery('workloads', 'docker-proxy', ['values.dockerOptions[1]'])],
  ['a space inside an image tag', (t) => ({ ...t, versions: { ...t.versions, prometheus: 'quay.io/prometheus/prometheus:v3.14 .0' } }), [[versions, 'versions', 'prometheus']]],
  ['a Prow tag with a slash', (t) => ({ ...t, versions: { ...t.versions, prow: { ...t.versions.prow, tag: 'v2026/05' } } }), [[versions, 'versions', 'prow.tag']]],
  ['a cron schedule with four fields', onPeriodic({ cron: '0 3 * *' }), [[kubevirtJobs, periodic, 'periodics[0].cron']]],
  ['a job timeout of forever', onPeriodic({ decoration_config: { timeout: 'forever' } }), [[kubevirtJobs, periodic, 'periodics[0].decoration_config.timeout']]],
  ['a job name with spaces', onPeriodic({ name: 'Periodic KubeVirt e2e' }), [[kubevirtJobs, 'job "Periodic KubeVirt e2e"', 'periodics[0].name']]],
];

describe('wrong values in the topology', () => {
  it.each(cases)('%s', (_what, change, expected) => {
    expect(refusal(change)).toEqual(expected);
  });
  it('reports wrong facts and wrong values of one topology together', () => {
    const [, badImage, imageRows] = cases.find(([what]) => what === 'a space inside an image tag')!;
    const [, badVolume, volumeRows] = cases.find(([what]) => what === 'a volume of 99999999Pi')!;
    expect(refusal((t) => badVolume(badImage(t)))).toEqual([...imageRows, ...volumeRows]);
  });
  it('and the topology as it is renders', () => {
    expect(refusal((t) => t)).toEqual([]);
  });
});
