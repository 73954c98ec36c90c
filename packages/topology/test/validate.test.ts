import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  TopologyError,
  defineApp,
  defineRole,
  defineTopology,
  enable,
  exposedServices,
  resolveTopology,
  type ClusterSpec,
  type Problem,
  type Topology,
} from '../src/index.ts';

const here = 'packages/topology/test/validate.test.ts';

const base = defineApp({ name: 'base', component: 'base', description: 'provides certificates', values: z.object({}), provides: ['certificates'], namespaces: () => ['cert-manager'] });
const cache = defineApp({
  name: 'cache',
  component: 'cache',
  description: 'needs a bucket',
  values: z.object({ bucket: z.string(), size: z.object({ gi: z.number().int().positive().default(10) }).prefault({}) }).strict(),
  requires: ['base'],
  namespaces: () => ['monitoring'],
});

function cluster(name: string, extra: Partial<ClusterSpec> = {}): ClusterSpec {
  return { name, description: `cluster ${name}`, uses: { services: [], buckets: [] }, connectedClusters: [], exposes: [], ...extra };
}

function problemsOf(t: Topology): Problem[] {
  try {
    resolveTopology(t);
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyError);
    return [...(err as TopologyError).problems];
  }
  throw new Error('expected the topology to be rejected');
}

const hub = defineRole({ role: 'hub', description: 'the hub', hub: true, apps: [enable(base)], clusters: [cluster('hub-1')] });

describe('resolveTopology', () => {
  it('resolves clusters with their role, destination, directory and parsed values', () => {
    const spokes = defineRole({
      role: 'spokes',
      description: 'spokes',
      hub: false,
      apps: [enable(base), enable(cache, { bucket: 'role-bucket' })],
      clusters: [cluster('spoke-1'), cluster('spoke-2', { values: { cache: { size: { gi: 20 } } } })],
    });
    const t = resolveTopology(defineTopology({ apps: [base, cache], roles: [hub, spokes] }));
    expect(t.hub.name).toBe('hub-1');
    expect(t.clusters.map((c) => [c.name, c.role, c.destination, c.manifestsDir, c.source])).toEqual([
      ['hub-1', 'hub', 'in-cluster', 'clusters/hub/manifests/hub-1', here],
      ['spoke-1', 'spokes', 'spoke-1', 'clusters/spokes/manifests/spoke-1', here],
      ['spoke-2', 'spokes', 'spoke-2', 'clusters/spokes/manifests/spoke-2', here],
    ]);
    expect(t.clusters[1]!.apps.map((a) => a.values)).toEqual([{}, { bucket: 'role-bucket', size: { gi: 10 } }]);
    expect(t.clusters[2]!.apps[1]!.values).toEqual({ bucket: 'role-bucket', size: { gi: 20 } });
  });

  it('lets a cluster pick another variant of a union its role sets (a claim where the role has a local volume)', () => {
    const storage = z.discriminatedUnion('type', [z.object({ type: z.literal('claim'), size: z.string() }).strict(), z.object({ type: z.literal('local'), size: z.string(), path: z.string() }).strict()]);
    const store = defineApp({ name: 'store', component: 'store', description: 'keeps data', values: z.object({ storage }).strict(), namespaces: () => ['monitoring'] });
    const spokes = defineRole({
      role: 'spokes',
      description: 'spokes',
      hub: false,
      apps: [enable(store, { storage: { type: 'local', size: '1Ti', path: '/data' } })],
      clusters: [cluster('spoke-1'), cluster('spoke-2', { values: { store: { storage: { type: 'claim', size: '100Gi' } } } })],
    });
    const t = resolveTopology(defineTopology({ apps: [base, store], roles: [hub, spokes] }));
    expect(t.clusters.slice(1).map((c) => c.apps[0]!.values)).toEqual([{ storage: { type: 'local', size: '1Ti', path: '/data' } }, { storage: { type: 'claim', size: '100Gi' } }]);
  });

  it('names the file, object and field of a missing required value', () => {
    const spokes = defineRole({ role: 'spokes', description: 's', hub: false, apps: [enable(base), enable(cache)], clusters: [cluster('spoke-1')] });
    expect(problemsOf(defineTopology({ apps: [base, cache], roles: [hub, spokes] }))).toEqual([
      {
        file: here,
        object: 'cluster "spoke-1", app "cache"',
        field: 'values.bucket',
        message: 'Invalid input: expected string, received undefined',
        fix: `set a valid value (see the values schema in ${here})`,
      },
    ]);
  });

  it('blames the cluster entry when the bad value comes from its per-cluster values', () => {
    const spokes = defineRole({
      role: 'spokes',
      description: 's',
      hub: false,
      apps: [enable(base), enable(cache, { bucket: 'b' })],
      clusters: [cluster('spoke-1', { values: { cache: { size: { gi: -1 } } } })],
    });
    const [p] = problemsOf(defineTopology({ apps: [base, cache], roles: [hub, spokes] }));
    expect([p!.object, p!.field, p!.message]).toEqual(['cluster "spoke-1", app "cache"', 'values.size.gi', 'Too small: expected number to be >0']);
  });

  it('rejects values for an unknown app and for an app the role does not enable', () => {
    const spokes = defineRole({
      role: 'spokes',
      description: 's',
      hub: false,
      apps: [enable(base)],
      clusters: [cluster('spoke-1', { values: { grenhouse: {}, cache: { bucket: 'b' } } })],
    });
    expect(problemsOf(defineTopology({ apps: [base, cache], roles: [hub, spokes] })).map((p) => [p.file, p.object, p.field, p.message])).toEqual([
      [here, 'cluster "spoke-1"', 'values["grenhouse"]', 'unknown app "grenhouse"'],
      [here, 'cluster "spoke-1"', 'values["cache"]', 'app "cache" is not enabled on role "spokes"'],
    ]);
  });

  it('rejects an app enabled on a role without the app it requires', () => {
    const spokes = defineRole({ role: 'spokes', description: 's', hub: false, apps: [enable(cache, { bucket: 'b' })], clusters: [cluster('spoke-1')] });
    const problems = problemsOf(defineTopology({ apps: [base, cache], roles: [hub, spokes] }));
    expect(problems.map((p) => [p.object, p.field, p.message, p.fix])).toEqual([
      ['role "spokes"', 'apps[0]', 'app "cache" needs app "base", which is not enabled on this role', 'enable "base" on role "spokes" too'],
    ]);
  });

  it('rejects an app package the topology does not know, and an app enabled twice', () => {
    const spokes = defineRole({ role: 'spokes', description: 's', hub: false, apps: [enable(base), enable(base), enable(cache, { bucket: 'b' })], clusters: [cluster('spoke-1')] });
    expect(problemsOf(defineTopology({ apps: [base], roles: [hub, spokes] })).map((p) => [p.field, p.message])).toEqual([
      ['apps[1]', 'app "base" is enabled twice'],
      ['apps[2]', 'unknown app "cache"'],
    ]);
  });

  it('rejects duplicate and malformed cluster names and unknown connected clusters', () => {
    const spokes = defineRole({
      role: 'spokes',
      description: 's',
      hub: false,
      apps: [],
      clusters: [cluster('hub-1'), cluster('Bad_Name', { connectedClusters: [{ cluster: 'nowhere', why: 'x' }] })],
    });
    expect(problemsOf(defineTopology({ apps: [base], roles: [hub, spokes] })).map((p) => [p.object, p.field, p.message])).toEqual([
      ['cluster "hub-1"', 'name', 'another cluster has the same name'],
      ['cluster "Bad_Name"', 'name', 'is not a valid cluster name (RFC 1123 label)'],
      ['cluster "Bad_Name"', 'connectedClusters[0].cluster', 'unknown cluster "nowhere"'],
    ]);
  });

  it('requires exactly one hub role with exactly one cluster', () => {
    const noHub = defineRole({ ...hub, hub: false });
    expect(problemsOf(defineTopology({ apps: [base], roles: [noHub] })).map((p) => p.message)).toEqual([
      '0 roles are marked hub; exactly one must be (the control plane, where Argo CD runs)',
    ]);
    const twoClusters = defineRole({ ...hub, clusters: [cluster('hub-1'), cluster('hub-2')] });
    expect(problemsOf(defineTopology({ apps: [base], roles: [twoClusters] })).map((p) => p.message)).toEqual([
      'the hub role has 2 clusters; Argo CD runs on exactly one',
    ]);
  });

  it('rejects a malformed hostname in the exposed-services facts, naming the facts file', () => {
    const bad = { ...exposedServices, deck: { ...exposedServices.deck, host: 'prow..kubevirt.io' } };
    expect(problemsOf(defineTopology({ apps: [base], roles: [hub], exposedServices: bad }))).toEqual([
      {
        file: 'packages/topology/src/facts/exposed.ts',
        object: 'exposed service "deck"',
        field: 'host',
        message: '"prow..kubevirt.io" is not a valid hostname',
        fix: 'use a fully qualified DNS name such as prow.ci.kubevirt.io',
      },
    ]);
  });

  it('rejects exposing services without an IngressClass or an app that issues certificates', () => {
    const bare = defineRole({ role: 'hub', description: 'h', hub: true, apps: [], clusters: [cluster('hub-1', { exposes: ['deck', 'nope'] })] });
    expect(problemsOf(defineTopology({ apps: [base], roles: [bare] })).map((p) => [p.field, p.message])).toEqual([
      ['ingressClassName', 'the cluster exposes services but names no IngressClass'],
      ['exposes[1]', 'unknown exposed service "nope"'],
      ['exposes', 'exposes services over TLS but no app on the cluster issues certificates'],
    ]);
    const noIssuer = defineRole({ role: 'hub', description: 'h', hub: true, apps: [], clusters: [cluster('hub-1', { exposes: ['deck'], ingressClassName: 'nginx' })] });
    expect(problemsOf(defineTopology({ apps: [base], roles: [noIssuer] })).map((p) => [p.field, p.message, p.fix])).toEqual([
      ['exposes', 'exposes services over TLS but no app on the cluster issues certificates', 'enable the cert-manager app on its role'],
    ]);
  });

  it('rejects unknown external services, bucket purposes and namespaces', () => {
    const odd = defineApp({ name: 'odd', component: 'odd', description: 'x', values: z.object({}), namespaces: () => ['nowhere'] });
    const spokes = defineRole({
      role: 'spokes',
      description: 's',
      hub: false,
      apps: [enable(odd)],
      clusters: [cluster('spoke-1', { uses: { services: ['github', 'gcs', 'gitlab'], buckets: ['thanos-blocks', 'logs'] } })],
    });
    expect(problemsOf(defineTopology({ apps: [base, odd], roles: [hub, spokes] })).map((p) => [p.field, p.message])).toEqual([
      ['uses.services[1]', 'unknown external service "gcs"'],
      ['uses.services[2]', 'unknown external service "gitlab"'],
      ['uses.buckets[1]', 'unknown bucket purpose "logs"'],
      ['namespaces()[0]', 'unknown namespace "nowhere"'],
    ]);
  });

  it('rejects flows towards things that do not exist', () => {
    const talker = defineApp({
      name: 'talker',
      component: 'talker',
      description: 'x',
      values: z.object({}),
      flows: () => [
        { kind: 'metrics', label: 'm', direction: 'in', peer: { cluster: 'spoke-1', component: 'Prometheus' } },
        { kind: 'metrics', label: 'm', direction: 'in', peer: { cluster: 'nowhere', component: 'Prometheus' } },
        { kind: 'webhooks', label: 'w', direction: 'in', peer: { external: 'gitlab' } },
        { kind: 'storage', label: 's', direction: 'out', peer: { bucket: 'logs' } },
        { kind: 'storage', label: 's', direction: 'out', peer: { bucket: 'build-results' } },
        { kind: 'metrics', label: 'm', direction: 'out', peer: { cluster: 'hub-1', component: 'base' } },
      ],
    });
    const withTalker = defineRole({ ...hub, apps: [enable(base), enable(talker)] });
    const spokes = defineRole({ role: 'spokes', description: 's', hub: false, apps: [], clusters: [cluster('spoke-1')] });
    expect(problemsOf(defineTopology({ apps: [base, talker], roles: [withTalker, spokes] })).map((p) => [p.object, p.field, p.message])).toEqual([
      ['app "talker" on cluster "hub-1"', 'flows()[0].peer', 'cluster "spoke-1" runs no component "Prometheus"'],
      ['app "talker" on cluster "hub-1"', 'flows()[1].peer', 'unknown cluster "nowhere"'],
      ['app "talker" on cluster "hub-1"', 'flows()[2].peer', 'unknown external service "gitlab"'],
      ['app "talker" on cluster "hub-1"', 'flows()[3].peer', 'unknown bucket purpose "logs"'],
    ]);
  });

  it('reports every problem at once', () => {
    const spokes = defineRole({ role: 'spokes', description: '', hub: false, apps: [enable(cache)], clusters: [cluster('x', { description: ' ' })] });
    const err = (() => {
      try {
        resolveTopology(defineTopology({ apps: [base, cache], roles: [hub, spokes] }));
      } catch (e) {
        return e as TopologyError;
      }
    })();
    expect(err?.problems.length).toBe(3);
    expect(err?.message.split('\n')[0]).toBe('the topology is invalid (3 problems); nothing was written:');
  });
});
