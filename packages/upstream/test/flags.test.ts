import { readManifests } from '@kubevirt-ci/synth';
import { repoRoot, versions } from '@kubevirt-ci/topology';
import { parseManifests, type ParsedObject } from '@kubevirt-ci/validate';
import { describe, expect, it } from 'vitest';
import { checkFlags, programsByImage } from '../src/index.ts';

const rendered: ParsedObject[] = [...readManifests(repoRoot)].flatMap(([file, text]) => parseManifests(file, text).objects);
const quiet = () => undefined;

/** The containers of the rendered workloads whose image is a program we build. */
function containersWithPrograms(objects: readonly ParsedObject[]) {
  const images = new Set(programsByImage(versions).keys());
  // Pod templates only: a Prometheus resource names the Thanos image too, for the operator's sidecar.
  const workloads = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
  return objects.filter((o) => workloads.includes(String(o.value['kind']))).flatMap((o) => {
    const spec = JSON.stringify(o.value);
    return [...spec.matchAll(/"image":"([^"]+)"/g)].map((m) => m[1]!).filter((i) => images.has(i));
  });
}

const thanosQuery = (args: string[], mounts: { mountPath: string }[] = []): ParsedObject => ({
  file: 'clusters/x/manifests/hub/thanos/deployment-thanos-query.yaml',
  line: 1,
  value: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'thanos-query', namespace: 'monitoring' },
    spec: { template: { spec: { containers: [{ name: 'query', image: versions.thanos, args, volumeMounts: mounts }] } } },
  },
});

describe('every rendered command line, parsed by its own program at its pinned version', () => {
  it('is accepted', () => {
    const r = checkFlags(rendered, versions, quiet);
    expect(r.notes).toEqual([]);
    expect(r.findings).toEqual([]);
    // Thanos (query, query-frontend, store, compact), node-exporter, blackbox-exporter, kube-state-metrics.
    expect(r.parsed).toBe(containersWithPrograms(rendered).length);
    expect(r.parsed).toBeGreaterThan(6);
  });
});

describe('the flags check proves itself', () => {
  it('refuses a flag the program does not define, naming the object and container', () => {
    const r = checkFlags([thanosQuery(['query', '--query.replica-label=replica', '--query.replica-labels=replica'])], versions, quiet);
    expect(r.findings.map((f) => [f.rule, f.object?.name, f.path])).toEqual([['flags/refused', 'thanos-query', 'spec.template.spec.containers[name=query].args']]);
    expect(r.findings[0]!.message).toBe(`thanos ${versions.thanos.split(':')[1]} refuses its command line: thanos: error: unknown long flag '--query.replica-labels'`);
  });

  it('refuses a subcommand the program does not have', () => {
    const r = checkFlags([thanosQuery(['querry'])], versions, quiet);
    expect(r.findings.map((f) => f.message)).toEqual([`thanos ${versions.thanos.split(':')[1]} refuses its command line: thanos: error: expected command but got "querry"`]);
  });

  it('refuses a file flag whose path no volume mount of the container holds, but not a URL path', () => {
    const args = ['query', '--grpc-client-tls-ca=/etc/tls/ca.crt', '--grpc-client-tls-cert=/etc/thanos/tls.crt', '--web.route-prefix=/query'];
    const r = checkFlags([thanosQuery(args, [{ mountPath: '/etc/tls/' }])], versions, quiet);
    expect(r.findings.map((f) => [f.rule, f.message])).toEqual([
      ['flags/unmounted-path', '--grpc-client-tls-cert=/etc/thanos/tls.crt: no volume mount of container query holds /etc/thanos/tls.crt (it mounts /etc/tls), so thanos would not find it'],
    ]);
  });

  it('accepts what it defines', () => {
    expect(checkFlags([thanosQuery(['query', '--query.replica-label=replica', '--endpoint=a:10901', '--grpc-client-tls-secure'])], versions, quiet)).toEqual({ findings: [], notes: [], parsed: 1 });
  });
});
