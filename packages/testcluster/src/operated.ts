/**
 * What prometheus-operator makes of our Prometheus and Alertmanager, made by the operator
 * itself at its pin on a test cluster, then judged by the programs it runs: each container's
 * command line by its own flag parser and each file a flag names by the container's mounts
 * (the Thanos sidecar, Prometheus, Alertmanager, the config reloader); the Alertmanager
 * configuration it generates by amtool, the Prometheus one by promtool.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { versions as pinned } from '@kubevirt-ci/topology';
import { checkFlags, crdSources, goProgram, moduleDir, programsByImage, prometheusOperatorPrograms, promtool, stderrProgress, UpstreamUnavailable, type Progress } from '@kubevirt-ci/upstream';
import { refOf, type CheckResult, type Finding, type ParsedObject } from '@kubevirt-ci/validate';
import { applyForReal, crdsIn, installCrds } from './admission.ts';
import type { Client } from './client.ts';
import { binaries, freePort, startCluster, type TestCluster } from './cluster.ts';
import { makePki } from './pki.ts';

/** An object the manifests need and git does not hold, made here with placeholder values. */
export interface Placeholder {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly namespace: string;
  readonly name: string;
  readonly keys: readonly string[];
}

/** A value every key takes: opaque to the operator, and a URL where it reads one (Slack's). */
const placeholderValue = 'https://placeholder.invalid/';

/**
 * A throwaway CA, certificate and key for the keys the operator parses as PEM: it builds the
 * TLS assets of a remote write from them, and refuses the Prometheus when they are not PEM
 * ("failed to find any PEM data in certificate input"). Made once, as a test cluster's are.
 */
let pem: Record<'tls.crt' | 'tls.key' | 'ca.crt', string> | undefined;
function pemPlaceholders(): Record<string, string> {
  if (!pem) {
    const dir = mkdtempSync(join(tmpdir(), 'operated-pem-'));
    try {
      const pki = makePki(dir);
      pem = { 'tls.crt': readFileSync(pki.servingCert, 'utf8'), 'tls.key': readFileSync(pki.servingKey, 'utf8'), 'ca.crt': readFileSync(pki.caCert, 'utf8') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return pem;
}

const placeholderFor = (key: string) => pemPlaceholders()[key] ?? placeholderValue;

/** The StatefulSet and generated configuration the operator makes for each kind, by its source. */
const made = {
  Prometheus: { resource: 'prometheuses', statefulSet: (n: string) => `prometheus-${n}`, config: (n: string) => ({ secret: `prometheus-${n}`, key: 'prometheus.yaml.gz' }) },
  Alertmanager: { resource: 'alertmanagers', statefulSet: (n: string) => `alertmanager-${n}`, config: (n: string) => ({ secret: `alertmanager-${n}-generated`, key: 'alertmanager.yaml.gz' }) },
} as const;

type Operated = keyof typeof made;
const isOperated = (o: ParsedObject): o is ParsedObject & { value: { kind: Operated } } => o.value['apiVersion'] === 'monitoring.coreos.com/v1' && (o.value['kind'] as string) in made;

/** The kinds the operator reads of what we render; the rest of a cluster it never looks at. */
const operatorReads = new Set(['Namespace', 'ServiceAccount', 'Secret', 'ConfigMap', 'Service', 'Prometheus', 'Alertmanager', 'AlertmanagerConfig', 'ServiceMonitor', 'PodMonitor', 'Probe', 'PrometheusRule', 'ScrapeConfig']);

const keyOf = (o: Record<string, unknown>) => {
  const meta = o['metadata'] as { name: string; namespace?: string };
  return `${o['kind']} ${meta.namespace ?? ''}/${meta.name}`;
};

/** Applies for real what the operator reads: the monitoring objects, their namespaces and Secrets. */
async function applyInputs(api: Client, objects: readonly ParsedObject[], placeholders: readonly Placeholder[]): Promise<void> {
  const rendered = objects.map((o) => o.value).filter((o) => operatorReads.has(String(o['kind'])));
  const have = new Set(rendered.map(keyOf));
  const filler = placeholders
    .map((p) => ({ apiVersion: 'v1', kind: p.kind, metadata: { name: p.name, namespace: p.namespace }, ...(p.kind === 'Secret' ? { stringData: Object.fromEntries(p.keys.map((k) => [k, placeholderFor(k)])) } : { data: Object.fromEntries(p.keys.map((k) => [k, placeholderFor(k)])) }) }))
    .filter((p) => !have.has(keyOf(p)));
  const namespaces = [...new Set([...rendered, ...filler].map((o) => (o['metadata'] as { namespace?: string }).namespace).filter((n): n is string => !!n))];
  const all = [...namespaces.filter((n) => !have.has(`Namespace /${n}`)).map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })), ...rendered.sort((a, b) => Number(b['kind'] === 'Namespace') - Number(a['kind'] === 'Namespace')), ...filler];
  await applyForReal(api, all, {
    manager: 'kubevirt-ci-operated',
    // What the API server refuses, the admission stage reports; the operator goes without it.
    refused: (o, message) => {
      if (o['kind'] === 'Namespace') throw new Error(`creating the namespace ${(o['metadata'] as { name: string }).name}: ${message}`);
    },
  });
}

/**
 * A Prometheus that selects no monitors, probes or scrape configs has its configuration
 * written by someone else: the operator leaves the Secret empty (unmanagedPrometheusConfiguration
 * in pkg/prometheus/server/operator.go), so there is nothing of its to check.
 */
function unmanaged(p: Record<string, unknown>): boolean {
  const spec = (p['spec'] ?? {}) as Record<string, unknown>;
  return ['serviceMonitorSelector', 'podMonitorSelector', 'probeSelector', 'scrapeConfigSelector'].every((k) => spec[k] === undefined || spec[k] === null);
}

interface StatefulSet {
  metadata: { name: string; namespace: string };
  spec: { template: { spec: Record<string, unknown> } };
}

/** Runs the operator on a cluster holding the inputs and collects what it makes of each operated object. */
async function operate(cluster: TestCluster, operator: string, wanted: readonly ParsedObject[]): Promise<{ made: Map<ParsedObject, { statefulSet?: StatefulSet; config?: string }>; notes: string[] }> {
  const c = cluster.adminCredentials;
  // Flags of cmd/operator/main.go and pkg/server/server.go at the pinned tag.
  cluster.run('prometheus-operator', operator, [`--apiserver=${c.server}`, `--ca-file=${c.caCert}`, `--cert-file=${c.cert}`, `--key-file=${c.key}`, `--web.listen-address=127.0.0.1:${await freePort()}`]);
  const out = new Map<ParsedObject, { statefulSet?: StatefulSet; config?: string }>();
  const notes: string[] = [];
  for (const o of wanted) {
    const kind = o.value.kind as Operated;
    const meta = o.value['metadata'] as { name: string; namespace: string };
    const get = async <T>(path: string) => {
      const r = await cluster.admin.json<T>('GET', path);
      return r.status === 200 ? r.value : undefined;
    };
    const what = `prometheus-operator to make StatefulSet ${meta.namespace}/${made[kind].statefulSet(meta.name)} and its configuration for ${kind} ${meta.name}`;
    try {
      const statefulSet = await cluster.waitFor(what, 60_000, () => get<StatefulSet>(`/apis/apps/v1/namespaces/${meta.namespace}/statefulsets/${made[kind].statefulSet(meta.name)}`));
      if (kind === 'Prometheus' && unmanaged(o.value)) {
        out.set(o, { statefulSet });
        continue;
      }
      const { secret, key } = made[kind].config(meta.name);
      // The operator may write the Secret before its content; wait for a whole gzip stream.
      const config = await cluster.waitFor(what, 60_000, async () => {
        const data = (await get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${meta.namespace}/secrets/${secret}`))?.data?.[key];
        return data ? gunzipSync(Buffer.from(data, 'base64')).toString('utf8') : undefined;
      });
      out.set(o, { statefulSet, config });
    } catch (err) {
      const status = await get<{ status?: { conditions?: { type: string; status: string; message?: string }[] } }>(`/apis/monitoring.coreos.com/v1/namespaces/${meta.namespace}/${made[kind].resource}/${meta.name}`);
      const why = status?.status?.conditions?.filter((x) => x.status !== 'True').map((x) => `${x.type}: ${x.message}`).join('; ');
      notes.push(`operated: ${(err as Error).message.split('\n')[0]}${why ? ` (its status: ${why})` : ''}`);
    }
  }
  return { made: out, notes };
}

function runCheck(bin: string, args: readonly string[], config: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'operated-'));
  try {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, config);
    const r = spawnSync(bin, [...args, file], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: dir }, timeout: 60_000 });
    return r.status === 0 ? undefined : (r.stderr.trim() || r.stdout.trim()).replaceAll(file, 'the generated configuration');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface OperatedOptions {
  /** What the cluster of a group is given outside git (Secrets the CRs name), by group. */
  readonly placeholders?: (group: string) => readonly Placeholder[];
  readonly progress?: Progress;
}

/**
 * For each group (cluster) with a Prometheus or Alertmanager: a test cluster holding its
 * monitoring objects, the pinned operator run against it, and each StatefulSet and
 * configuration it makes judged. A finding names the object we render that it came from.
 */
export async function checkOperated(objects: readonly ParsedObject[], groupOf: (o: ParsedObject) => string, opts: OperatedOptions = {}): Promise<CheckResult> {
  const progress = opts.progress ?? stderrProgress;
  const operated = objects.filter(isOperated);
  if (operated.length === 0) return { findings: [], notes: [] };
  const programs = prometheusOperatorPrograms(pinned);
  let tools: { operator: string; amtool: string; promtool: string; crds: Record<string, unknown>[]; control: ReturnType<typeof binaries> };
  try {
    tools = {
      operator: goProgram(programs.operator, progress),
      amtool: goProgram(programs.amtool, progress),
      promtool: goProgram(promtool(pinned), progress),
      crds: crdsIn(crdSources(pinned).map((s) => join(moduleDir(s.module, s.version), s.path))),
      control: binaries(pinned, progress),
    };
    // The programs of the containers it writes, built now: a build inside checkFlags would
    // block the event loop while another cluster's requests wait.
    const byImage = programsByImage(pinned);
    for (const image of [pinned.prometheus, pinned.alertmanager, pinned.thanos, programs.configReloaderImage]) goProgram(byImage.get(image)!, progress);
  } catch (err) {
    if (err instanceof UpstreamUnavailable) return { findings: [], notes: [`operated: skipped: ${err.message}`] };
    throw err;
  }
  const groups = [...new Set(operated.map(groupOf))];
  const results = await Promise.all(
    groups.map(async (group) => {
      const mine = objects.filter((o) => groupOf(o) === group);
      const namespaces = new Set(mine.filter(isOperated).map((o) => (o.value['metadata'] as { namespace: string }).namespace));
      const inputs = mine.filter((o) => namespaces.has((o.value['metadata'] as { namespace?: string }).namespace ?? '') || (o.value['kind'] === 'Namespace' && namespaces.has((o.value['metadata'] as { name: string }).name)));
      const cluster = await startCluster({ name: `operated-${group}`.replace(/[^a-z0-9-]/g, '-').slice(0, 60), binaries: tools.control, progress });
      try {
        await installCrds(cluster.admin, tools.crds);
        await applyInputs(cluster.admin, inputs, (opts.placeholders?.(group) ?? []).filter((p) => namespaces.has(p.namespace)));
        const { made: results, notes } = await operate(cluster, tools.operator, mine.filter(isOperated));
        const findings: Finding[] = [];
        for (const [source, r] of results) {
          const kind = source.value.kind as Operated;
          const from = (f: Finding): Finding => ({ ...f, file: source.file, line: source.line, object: refOf(source.value), path: `(StatefulSet ${r.statefulSet!.metadata.name} the operator makes of it) ${f.path}` });
          const flags = checkFlags([{ file: source.file, line: source.line, value: r.statefulSet as unknown as Record<string, unknown> }], pinned, progress);
          findings.push(...flags.findings.map(from));
          notes.push(...flags.notes);
          const refused = r.config === undefined ? undefined : kind === 'Alertmanager' ? runCheck(tools.amtool, ['check-config'], r.config) : runCheck(tools.promtool, ['check', 'config', '--syntax-only'], r.config);
          if (refused) {
            findings.push({
              rule: 'operated/config',
              severity: 'error',
              file: source.file,
              line: source.line,
              object: refOf(source.value),
              path: '',
              message: `${kind === 'Alertmanager' ? 'amtool check-config' : 'promtool check config'} refuses the configuration prometheus-operator generates from it: ${refused}`,
              fix: `change the ${kind} (and the objects it selects) so the configuration the operator makes of them is valid`,
            });
          }
        }
        return { findings, notes };
      } finally {
        await cluster.stop();
      }
    }),
  );
  return { findings: results.flatMap((r) => r.findings), notes: results.flatMap((r) => r.notes) };
}
