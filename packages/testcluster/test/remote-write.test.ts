/**
 * The workloads clusters' metrics path, run with the real programs at their pins: Prometheus
 * remote-writing with the workloads cluster's external labels, Thanos receive with the command
 * line the hub renders, and Thanos query with its own, over mutual TLS to receive's StoreAPI.
 * What a container cannot have here is remapped and named: the files its mounts hold live in
 * a temporary directory, each address is a loopback port, the bucket is a directory, and the
 * query dials receive alone. The hub's ingress (TLS, client certificates) is not in the path:
 * ingress-nginx is no Go program we build.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, versions } from '@kubevirt-ci/topology';
import { goProgram, programsByImage } from '@kubevirt-ci/upstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, makePki, startProcess, until, type Started } from '../src/index.ts';

const manifest = (path: string) => parse(readFileSync(join(repoRoot, path), 'utf8'));
const hub = 'clusters/control-plane/manifests/ibm-prow-jobs';
const receiveSet = manifest(`${hub}/thanos/statefulset-thanos-receive.yaml`);
const querySet = manifest(`${hub}/thanos/deployment-thanos-query.yaml`);
const writer = manifest('clusters/workloads/manifests/prow-workloads/prometheus/prometheus-main.yaml');

const containerOf = (o: any) => o.spec.template.spec.containers[0];
const programOf = (image: string) => goProgram(programsByImage(versions).get(image)!, () => undefined);

let dir: string;
const running: Started[] = [];
let queryHttp: number;
let receiveHttp: number;
let prometheusHttp: number;

/** A container's rendered arguments with each mount path under root and each address on loopback. */
function remap(args: readonly string[], mounts: readonly { mountPath: string }[], root: string, addresses: Record<string, string>): string[] {
  return args.flatMap((a) => {
    const [flag, value] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (value === undefined) return [a];
    if (flag in addresses) return addresses[flag] === '' ? [] : [`${flag}=${addresses[flag]}`];
    const mount = mounts.find((m) => value === m.mountPath || value.startsWith(`${m.mountPath}/`));
    return [mount ? `${flag}=${join(root, value)}` : a];
  });
}

const start = (name: string, binary: string, args: string[]) => running.push(startProcess(dir, name, binary, args));
const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, seconds: number) => until(what, running, seconds * 1000, probe);

const ready = (port: number) => async () => ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok ? true : undefined);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'remote-write-'));
  const pki = makePki(dir);
  const client = pki.client('query', { user: 'thanos-query', groups: [] });
  const thanos = programOf(versions.thanos);

  // receive, as the hub renders it: TLS files and the bucket's config where its mounts are.
  const rc = containerOf(receiveSet);
  const root = join(dir, 'receive');
  for (const m of rc.volumeMounts) mkdirSync(join(root, m.mountPath), { recursive: true });
  const tls = rc.volumeMounts.find((m: any) => m.name === 'grpc-tls').mountPath;
  writeFileSync(join(root, tls, 'tls.crt'), readFileSync(pki.servingCert));
  writeFileSync(join(root, tls, 'tls.key'), readFileSync(pki.servingKey));
  writeFileSync(join(root, tls, 'ca.crt'), readFileSync(pki.caCert));
  const objstore = rc.volumeMounts.find((m: any) => m.name === 'objstore').mountPath;
  writeFileSync(join(root, objstore, 'objstore.yml'), `type: FILESYSTEM\nconfig:\n  directory: ${join(dir, 'bucket')}\n`);
  receiveHttp = await freePort();
  const receiveGrpc = await freePort();
  const receiveWrite = await freePort();
  const receiveArgs = remap(rc.args, rc.volumeMounts, root, {
    '--http-address': `127.0.0.1:${receiveHttp}`,
    '--grpc-address': `127.0.0.1:${receiveGrpc}`,
    '--remote-write.address': `127.0.0.1:${receiveWrite}`,
  }).map((a) => a.replace('$(POD_NAME)', `${receiveSet.metadata.name}-0`));
  start('receive', thanos, receiveArgs);

  // query, as rendered, but dialling receive alone and presenting a client-only certificate.
  const qc = containerOf(querySet);
  const qroot = join(dir, 'query');
  const qtls = qc.volumeMounts[0].mountPath;
  mkdirSync(join(qroot, qtls), { recursive: true });
  writeFileSync(join(qroot, qtls, 'tls.crt'), readFileSync(client.cert));
  writeFileSync(join(qroot, qtls, 'tls.key'), readFileSync(client.key));
  writeFileSync(join(qroot, qtls, 'ca.crt'), readFileSync(pki.caCert));
  queryHttp = await freePort();
  const queryArgs = remap(
    qc.args.filter((a: string) => !a.startsWith('--endpoint=')),
    qc.volumeMounts,
    qroot,
    { '--http-address': `127.0.0.1:${queryHttp}`, '--grpc-address': `127.0.0.1:${await freePort()}` },
  );
  start('query', thanos, [...queryArgs, `--endpoint=127.0.0.1:${receiveGrpc}`]);

  // Prometheus of the workloads cluster: its external labels, writing to receive's handler path.
  prometheusHttp = await freePort();
  const url = new URL(writer.spec.remoteWrite[0].url);
  const config = {
    global: { scrape_interval: '1s', external_labels: { ...writer.spec.externalLabels, [writer.spec.replicaExternalLabelName]: 'prometheus-main-0' } },
    scrape_configs: [{ job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${prometheusHttp}`] }] }],
    remote_write: [{ name: writer.spec.remoteWrite[0].name, url: `http://127.0.0.1:${receiveWrite}${url.pathname}`, queue_config: { batch_send_deadline: '1s' } }],
  };
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config));
  start('prometheus', programOf(versions.prometheus), [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${prometheusHttp}`]);

  await waitFor('receive ready', ready(receiveHttp), 90);
  await waitFor('query ready', ready(queryHttp), 90);
  await waitFor('Prometheus ready', ready(prometheusHttp), 90);
}, 600_000);

afterAll(() => {
  for (const p of running) p.exited || p.child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the workloads metrics path, with the real programs', () => {
  it("brings the workloads cluster's series to the hub's query, labelled with its cluster, through receive's StoreAPI over mutual TLS", async () => {
    const cluster = writer.spec.externalLabels.cluster;
    expect(cluster).toBe('prow-workloads');
    const series = await waitFor(
      `query to answer up{cluster="${cluster}"}`,
      async () => {
        const answer = (await (await fetch(`http://127.0.0.1:${queryHttp}/api/v1/query?query=${encodeURIComponent(`up{cluster="${cluster}"}`)}`)).json()) as { data: { result: { metric: Record<string, string> }[] } };
        return answer.data.result.length > 0 ? answer.data.result : undefined;
      },
      120,
    );
    // Deduplicated on the replica label; receive adds its tenant.
    expect(series.map((s) => [s.metric['cluster'], s.metric['job'], s.metric['prometheus_replica'], s.metric['tenant_id']])).toEqual([[cluster, 'prometheus', undefined, 'default-tenant']]);
  }, 300_000);

  it('exports every metric the rendered alerts on this path ask for', async () => {
    const exported = async (port: number) => new Set([...(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((m) => m[1]));
    const rules = (path: string, alerts: RegExp) =>
      (manifest(path).spec.groups as { rules: { alert: string; expr: string }[] }[]).flatMap((g) => g.rules).filter((r) => alerts.test(r.alert));
    // The metric names in an expression: ours all begin with their program's prefix.
    const metricsIn = (rs: { expr: string }[], prefix: string) => [...new Set(rs.flatMap((r) => [...r.expr.matchAll(new RegExp(`\\b${prefix}_[a-z0-9_]+`, 'g'))].map((m) => m[0])))].sort();
    const writerRules = rules('clusters/workloads/manifests/prow-workloads/prometheus/prometheusrule-cluster-alerts.yaml', /^PrometheusRemoteWrite/);
    const receiveRules = rules(`${hub}/thanos/prometheusrule-thanos-alerts.yaml`, /^ThanosReceive/);
    expect([writerRules.length, receiveRules.length]).toEqual([2, 2]);
    const prometheus = await exported(prometheusHttp);
    const receive = await exported(receiveHttp);
    expect(metricsIn(writerRules, 'prometheus').filter((m) => !prometheus.has(m))).toEqual([]);
    expect(metricsIn(receiveRules, 'thanos').filter((m) => !receive.has(m))).toEqual([]);
    expect(metricsIn(writerRules, 'prometheus')).toEqual([
      'prometheus_remote_storage_queue_highest_sent_timestamp_seconds',
      'prometheus_remote_storage_queue_highest_timestamp_seconds',
      'prometheus_remote_storage_samples_failed_total',
    ]);
    expect(metricsIn(receiveRules, 'thanos')).toEqual(['thanos_objstore_bucket_last_successful_upload_time']);
  });
});
