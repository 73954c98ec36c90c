/**
 * pnpm bench: synthesizes and validates synthetic topologies with 1, 10 and 100 workloads
 * clusters and prints, for each stage, resources, seconds and resources per second, so growth
 * can be read off one run. A benchmark to read, not a test: nothing here passes or fails.
 */
import { emitModel } from '@kubevirt-ci/kube';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { loadTopology, readManifests, render, writeManifests } from '@kubevirt-ci/synth';
import { app as prowApp } from '@kubevirt-ci/app-prow';
import { loadJobTree } from '@kubevirt-ci/app-prow/jobs';
import { writeSampleTree } from '@kubevirt-ci/app-prow/sample-tree';
import { defineApp, defineTopology, enable, jobPresetsOn, mergeValues, repoRoot, versions, type ClusterSpec, type RoleSpec } from '@kubevirt-ci/topology';
import { admit, binaries, checkOperated, crdsIn, startCluster } from '@kubevirt-ci/testcluster';
import { checkFlags, crdSources, moduleDir, prepareKubeconform, preparePromtool } from '@kubevirt-ci/upstream';
import { checkArgoGraph, checkPolicy, checkReferences, checkRemovedApis, checkRulesWithPromtool, checkSchemas, clusterOf, kubeconformArgs, parseFiles, parseKubeconformReport, parseManifests, type ParsedObject } from '@kubevirt-ci/validate';
import type { Construct } from 'constructs';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { stringify } from 'yaml';
import { argv, echo } from 'zx';
import { z } from 'zod';
import { clusterOf as applyTarget, placeholdersOf, renderedContext } from './lib/validation.ts';

const servicesPerCluster = 10;

/** Stands in for the apps issues 3 to 5 bring: per service a Deployment, Service, ConfigMap, ServiceAccount, Role and RoleBinding. */
const load = defineApp({
  name: 'bench-load',
  component: 'bench load',
  description: 'stand-in services shaped like ours, for the benchmark only',
  values: z.object({}),
  namespaces: () => ['monitoring'],
  render: (scope: Construct) => {
    const namespace = 'monitoring';
    for (let i = 0; i < servicesPerCluster; i++) {
      const name = `svc-${i}`;
      const labels = { app: name };
      emitModel(scope, new ServiceAccount({ metadata: { name, namespace } }));
      emitModel(scope, new Role({ metadata: { name, namespace }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] }));
      emitModel(scope, new RoleBinding({
        metadata: { name, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      }));
      emitModel(scope, new ConfigMap({ metadata: { name, namespace }, data: { 'config.yaml': `name: ${name}\n` } }));
      emitModel(scope, new Service({ metadata: { name, namespace }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } }));
      emitModel(scope, new Deployment({
        metadata: { name, namespace },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: name,
              securityContext: { runAsNonRoot: true },
              containers: [
                {
                  name,
                  image: 'quay.io/kubevirtci/bench:v1.0.0',
                  ports: [{ name: 'http', containerPort: 8080 }],
                  readinessProbe: { httpGet: { port: 'http', path: '/healthz' } },
                  livenessProbe: { httpGet: { port: 'http', path: '/healthz' } },
                  resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                  volumeMounts: [{ name: 'config', mountPath: '/etc/config' }],
                },
              ],
              volumes: [{ name: 'config', configMap: { name } }],
            },
          },
        },
      }));
    }
  },
});

interface Row {
  readonly clusters: number;
  readonly stage: string;
  readonly resources: number;
  readonly seconds: number;
}

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const out = fn();
  return [out, (performance.now() - t) / 1000];
}

/** The repository's topology with n workloads clusters, each also running the stand-in services. */
async function benchTopology(n: number) {
  const base = await loadTopology();
  const roles = base.roles.map((r): RoleSpec => {
    // The hub's Thanos receive takes every cluster's samples: sized for n of them, as synth
    // asks of anyone adding clusters (50Gi each, the default for one).
    if (r.hub) return { ...r, apps: r.apps.map((b) => (b.app.name === 'thanos' ? { ...b, values: mergeValues(b.values, { receive: { storage: { size: `${50 * n}Gi` } } }) } : b)) };
    const template = r.clusters[0]!;
    // The first keeps its name, which the hub's connectedClusters names.
    const clusters: ClusterSpec[] = Array.from({ length: n }, (_, i) => (i === 0 ? template : { ...template, name: `${template.name}-${String(i + 1).padStart(3, '0')}` }));
    return { ...r, apps: [...r.apps, enable(load)], clusters };
  });
  return defineTopology({ ...base, apps: [...base.apps, load], roles });
}

/** Each size is rendered and validated this many times in the process; the rows are medians. */
const repeats = 3;

async function run(n: number): Promise<Row[]> {
  const topology = await benchTopology(n);
  const renders = Array.from({ length: repeats }, () => time(() => render(topology)));
  const rendered = renders[0]![0];
  const files = rendered.clusters.flatMap((c) => [...c.files]);
  const resources = files.length;
  const provided = rendered.clusters.flatMap((rc) => rc.provided.map((p) => ({ ...p, cluster: rc.cluster.name })));
  const runs: Record<string, number>[] = [];
  for (let i = 0; i < repeats; i++) {
    const seconds: Record<string, number> = {};
    const [{ objects }, parseSeconds] = time(() => parseFiles(files));
    seconds['parse'] = parseSeconds;
    const t = performance.now();
    const schema = await checkSchemas(objects);
    seconds['schema'] = (performance.now() - t) / 1000;
    const groups = new Map<string, ParsedObject[]>();
    for (const o of objects) {
      const g = groups.get(clusterOf(o.file)) ?? [];
      g.push(o);
      groups.set(clusterOf(o.file), g);
    }
    const [cross, crossSeconds] = time(() => [...groups.entries()].flatMap(([cluster, g]) => [...checkRemovedApis(g, topology.versions.kubernetes), ...checkReferences(g, { provided, wholeCluster: true }, cluster)]));
    seconds['cross-resource'] = crossSeconds;
    const [policy, policySeconds] = time(() => [...groups.values()].flatMap((g) => checkPolicy(g)));
    seconds['policy'] = policySeconds;
    const [argo, argoSeconds] = time(() => checkArgoGraph(objects, { repoURL: topology.gitops.repoURL, basePath: topology.gitops.basePath }));
    seconds['argo cd graph'] = argoSeconds;
    seconds['built-in stages'] = parseSeconds + seconds['schema'] + crossSeconds + policySeconds + argoSeconds;
    runs.push(seconds);
    const findings = [...schema, ...cross, ...policy, ...argo].filter((f) => f.severity === 'error');
    if (i === 0 && findings.length > 0) echo(`warning: the bench topology has ${findings.length} findings, the first: ${findings[0]!.rule} ${findings[0]!.message}`);
  }
  return [
    { clusters: n, stage: 'synth', resources, seconds: median(renders.map(([, s]) => s)) },
    ...Object.keys(runs[0]!).map((stage) => ({ clusters: n, stage, resources, seconds: median(runs.map((r) => r[stage]!)) })),
    { clusters: n, stage: 'built-in, 1st run', resources, seconds: runs[0]!['built-in stages']! },
  ];
}

/**
 * Prow's job config at production's size: a generated tree of production's shape (216 files,
 * 1,655 jobs, anchors) is loaded, checked and rendered with both clusters, written as synth
 * writes, and validated by the validator CLI; with `inCheckout`, the real `pnpm synth` also
 * runs with the tree copied into apps/prow/jobs (removed, and synth rerun, after).
 */
async function jobsAtScale(inCheckout: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-jobs-'));
  try {
    const base = await loadTopology();
    // On the first workloads cluster, with the presets its apps offer but the external clusters' (those hold one job at a time).
    const cluster = render(base).topology.clusters.find((c) => !c.hub)!;
    const presets = jobPresetsOn(cluster).map((p) => p.label).filter((l) => !l.startsWith('preset-kubevirtci-'));
    const sample = writeSampleTree(join(dir, 'jobs'), { cluster: cluster.name, presets });
    echo(`job config at production's size: ${sample.files} files, ${sample.jobs} jobs, ${(sample.bytes / 1e6).toFixed(2)} MB (wall seconds, warm)`);
    const [tree, loadSeconds] = time(() => loadJobTree(join(dir, 'jobs'), 'jobs'));
    if (tree.problems.length > 0) throw new Error(`the sample tree does not load: ${tree.problems[0]!.message}`);
    echo(`  load (read and parse, with lines)  ${loadSeconds.toFixed(2).padStart(7)}`);
    const withJobs = { ...base, roles: base.roles.map((r) => ({ ...r, apps: r.apps.map((b) => (b.app.name === prowApp.name ? enable(prowApp, mergeValues(b.values, { jobs: tree.files }) as object) : b)) })) };
    render(withJobs);
    const [rendered, renderSeconds] = time(() => render(withJobs));
    const shards = rendered.clusters.flatMap((c) => [...c.files.keys()]).filter((f) => /configmap-job-config-\d+\.yaml$/.test(f));
    echo(`  render of both clusters (check, shard, serialise) ${renderSeconds.toFixed(2).padStart(7)}  (${shards.length} job-config ConfigMaps)`);
    const out = join(dir, 'repo');
    const [, writeSeconds] = time(() => writeManifests(out, rendered));
    echo(`  write, as synth writes             ${writeSeconds.toFixed(2).padStart(7)}`);
    const t = performance.now();
    const v = spawnSync(process.execPath, [join(repoRoot, 'tools/bin/cli.mjs'), 'validate-manifests', '--no-upstream', '--format', 'json', join(out, 'clusters')], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
    const validate = (performance.now() - t) / 1000;
    const errors = (JSON.parse(v.stdout || '{"findings":[]}') as { findings: { severity: string }[] }).findings.filter((f) => f.severity === 'error').length;
    echo(`  validate CLI (built-in stages)     ${validate.toFixed(2).padStart(7)}  (${errors} errors)`);
    if (inCheckout) {
      const root = join(repoRoot, 'apps/prow/jobs');
      const added = readdirSync(join(dir, 'jobs')).flatMap((org) => readdirSync(join(dir, 'jobs', org)).map((repo) => join(org, repo)));
      const clash = added.find((d) => existsSync(join(root, d)));
      if (clash) throw new Error(`apps/prow/jobs/${clash} exists already; the bench adds its sample there`);
      try {
        for (const d of added) cpSync(join(dir, 'jobs', d), join(root, d), { recursive: true });
        timed('pnpm', ['synth']);
        writeFileSync(join(root, added[0]!, 'bench-touch.yaml'), 'periodics: []\n');
        echo(`  pnpm synth, warm, one file changed ${timed('pnpm', ['synth']).toFixed(2).padStart(7)}`);
      } finally {
        for (const d of added) rmSync(join(root, d), { recursive: true, force: true });
        for (const org of new Set(added.map((d) => d.split('/')[0]!))) if (existsSync(join(root, org)) && readdirSync(join(root, org)).length === 0) rmSync(join(root, org), { recursive: true });
        timed('pnpm', ['synth']);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall seconds of one command, whatever its exit (the validator exits 1 on findings). */
function wall(command: string, args: string[], cwd = repoRoot): number {
  const t = performance.now();
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  if (r.error) throw r.error;
  return (performance.now() - t) / 1000;
}

const usage = `usage: bench [--clusters 1,10,100] [--edit-loop] [--upstream] [--cli] [--start-up] [--jobs-synth]

Times synth and every built-in validation stage on topologies with 1, 10 and 100 workloads
clusters (the real apps plus ${servicesPerCluster} stand-in services on each), and prints
resources per second for each: the median of ${repeats} runs in one process, and the first run's
built-in stages alone (which pay loading and compiling the schema validators). A benchmark to
read, not a test: nothing passes or fails.

  --clusters <n,...>  the sizes to run (default 1,10,100)
  --edit-loop         also time the edit loop as whole commands, in this checkout: pnpm test
                      once to fill turbo's cache and once more with no change (fully cached),
                      then pnpm synth after a one-line change in a fact (restored after)
  --upstream          also time the upstream programs' checks, warm (built before), on this
                      repository's rendered manifests of both clusters: kubeconform, promtool
                      on every PrometheusRule, every command line's flag parse, a test
                      cluster per rendered cluster (start to ready, then the dry-run apply
                      of its objects) and the prometheus-operator check
  --cli               also time the validator as a whole command (built-in stages) against
                      kubectl kustomize of each cluster's directory and the pinned kubeconform,
                      on the same rendered files, for each size
  --start-up          also time, as whole commands (median of five), validate:manifests --help
                      through node and through pnpm, pnpm's own start, and pnpm synth after a
                      one-line change in a fact (restored after) and with no change
  --jobs-synth        also time the real pnpm synth with the production-sized job tree
                      copied into apps/prow/jobs (removed, and synth rerun, after)
  --help              this text

It also generates a job tree of production's size and shape and times loading, checking and
rendering it with both clusters, writing it, and validating the result with the CLI.`;

/**
 * The validator as a whole command against two programs on the same files: kubectl kustomize
 * rendering each cluster's directory as an overlay, and the pinned kubeconform. Each is one
 * process over everything (kustomize one per cluster, as a deploy would run it); wall seconds.
 */
async function cliComparison(sizes: readonly number[]): Promise<void> {
  const k = prepareKubeconform(versions, () => undefined);
  echo(`the validator CLI against kubectl kustomize and kubeconform, on the same rendered files (wall seconds, median of ${repeats})`);
  echo(['workloads clusters', 'files', 'kustomize', 'kubeconform', 'validate CLI', 'CLI/kustomize', 'CLI/kubeconform'].map((h) => h.padStart(h === 'workloads clusters' ? 18 : 16)).join(''));
  for (const n of sizes) {
    const rendered = render(await benchTopology(n));
    const dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
    try {
      const paths: string[] = [];
      const byCluster = new Map<string, string[]>();
      for (const rc of rendered.clusters) {
        for (const [file, text] of rc.files) {
          const path = join(dir, file);
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, text);
          paths.push(path);
          byCluster.set(rc.cluster.manifestsDir, [...(byCluster.get(rc.cluster.manifestsDir) ?? []), relative(join(dir, rc.cluster.manifestsDir), path)]);
        }
      }
      for (const [clusterDir, files] of byCluster) writeFileSync(join(dir, clusterDir, 'kustomization.yaml'), stringify({ resources: files }));
      const kustomize = medianOf(repeats, () => [...byCluster.keys()].reduce((s, d) => s + wall('kubectl', ['kustomize', join(dir, d)], dir), 0));
      const kubeconform = 'unavailable' in k ? Number.NaN : medianOf(repeats, () => wall(k.bin, kubeconformArgs(paths, k.kubernetesVersion, k.schemaLocations), dir));
      const cli = medianOf(repeats, () => wall(process.execPath, [join(repoRoot, 'tools/bin/cli.mjs'), 'validate-manifests', '--no-upstream', '--format', 'json', join(dir, 'clusters')], dir));
      echo([String(n).padStart(18), ...[paths.length, kustomize, kubeconform, cli, cli / kustomize, cli / kubeconform].map((v, i) => (i === 0 ? String(v) : v.toFixed(2)).padStart(16))].join(''));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Wall seconds of one command in the repository, which must succeed. */
function timed(command: string, args: string[]): number {
  const t = performance.now();
  const r = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  return (performance.now() - t) / 1000;
}

function editLoop(): void {
  echo('edit loop (whole commands, wall seconds)');
  echo(`  pnpm test, filling the cache        ${timed('pnpm', ['test']).toFixed(1).padStart(7)}`);
  echo(`  pnpm test, no change (cached)       ${timed('pnpm', ['test']).toFixed(1).padStart(7)}`);
  synthAfterEdit(1);
}

/** pnpm synth after a one-line change in a fact (restored after), then with no change; the median of `runs` each. */
function synthAfterEdit(runs: number): void {
  const fact = join(repoRoot, 'packages/topology/src/facts/versions.ts');
  const original = readFileSync(fact, 'utf8');
  const edited: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      writeFileSync(fact, `${original}// bench: a one-line change, ${i}\n`);
      edited.push(timed('pnpm', ['synth']));
    }
  } finally {
    writeFileSync(fact, original);
  }
  timed('pnpm', ['synth']);
  echo(`  pnpm synth, one line in versions.ts ${median(edited).toFixed(2).padStart(7)}`);
  echo(`  pnpm synth, no change               ${medianOf(runs, () => timed('pnpm', ['synth'])).toFixed(2).padStart(7)}`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The median of `runs` measurements. */
function medianOf(runs: number, measure: () => number): number {
  return median(Array.from({ length: runs }, measure));
}

/** How long the commands take to start and to render, as a person runs them (median of five, wall seconds). */
function startUp(): void {
  const five = (command: string, args: string[]) => medianOf(5, () => wall(command, args));
  const help = [join(repoRoot, 'tools/bin/cli.mjs'), 'validate-manifests', '--help'];
  echo('start-up (whole commands, wall seconds, median of five)');
  // A first run builds the command when its sources changed since the last build.
  wall(process.execPath, help);
  echo(`  node tools/bin/cli.mjs validate-manifests --help ${five(process.execPath, help).toFixed(2).padStart(7)}`);
  echo(`  pnpm validate:manifests --help      ${five('pnpm', ['-s', 'validate:manifests', '--help']).toFixed(2).padStart(7)}`);
  echo(`  pnpm --version (pnpm's own start)   ${five('pnpm', ['--version']).toFixed(2).padStart(7)}`);
  synthAfterEdit(5);
}

/** The upstream checks on the committed manifests, each timed warm (a first call builds what is missing). */
async function upstreamChecks(): Promise<void> {
  const loaded = await loadTopology();
  const files = readManifests(repoRoot);
  const objects = [...files].flatMap(([file, text]) => parseManifests(file, text).objects);
  const quiet = () => undefined;
  const k = prepareKubeconform(versions, quiet);
  const promtool = preparePromtool(versions, quiet);
  checkFlags(objects, versions, quiet);
  echo(`upstream checks on ${files.size} rendered files (wall seconds, warm)`);
  if ('unavailable' in k) echo(`  kubeconform: ${k.unavailable}`);
  else {
    const [r, s] = time(() => spawnSync(k.bin, kubeconformArgs([...files.keys()], k.kubernetesVersion, k.schemaLocations), { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
    echo(`  kubeconform, strict               ${s.toFixed(2).padStart(7)}  (${parseKubeconformReport(r.stdout, objects).length} findings)`);
  }
  if (typeof promtool !== 'string') echo(`  promtool: ${promtool.unavailable}`);
  else {
    const [r, s] = time(() => checkRulesWithPromtool(objects, promtool));
    echo(`  promtool check rules              ${s.toFixed(2).padStart(7)}  (${r.findings.length} findings)`);
  }
  const [f, s] = time(() => checkFlags(objects, versions, quiet));
  echo(`  flags (${f.parsed} command lines)          ${s.toFixed(2).padStart(7)}  (${f.findings.length} findings)`);

  // The test clusters: one per rendered cluster, as validate:manifests starts them.
  const hub = render(await loadTopology()).topology.clusters.find((c) => c.hub)?.name ?? '';
  const groupOf = applyTarget(hub);
  const bins = binaries(versions, quiet);
  const crds = crdsIn(crdSources(versions).map((c) => join(moduleDir(c.module, c.version), c.path)));
  const groups = [...new Set(objects.map(groupOf))].sort();
  let t = performance.now();
  const clusters = await Promise.all(groups.map((g) => startCluster({ name: g, binaries: bins, progress: quiet })));
  echo(`  ${groups.length} test clusters, started to ready   ${((performance.now() - t) / 1000).toFixed(2).padStart(7)}`);
  try {
    t = performance.now();
    const admitted = await Promise.all(clusters.map((c, i) => admit(c.admin, objects.filter((o) => groupOf(o) === groups[i]), { crds })));
    echo(`  dry-run apply of every object      ${((performance.now() - t) / 1000).toFixed(2).padStart(7)}  (${admitted.reduce((n, r) => n + r.admitted, 0)} objects, ${admitted.reduce((n, r) => n + r.findings.length, 0)} findings)`);
  } finally {
    await Promise.all(clusters.map((c) => c.stop()));
  }
  t = performance.now();
  const operated = await checkOperated(objects, groupOf, { progress: quiet, placeholders: placeholdersOf(renderedContext(render(loaded)).provided) });
  echo(`  prometheus-operator, run and judged ${((performance.now() - t) / 1000).toFixed(2).padStart(7)}  (${operated.findings.length} findings${operated.notes.length ? `; ${operated.notes.join('; ')}` : ''})`);
}

if (argv['help'] || argv['h']) {
  echo(usage);
} else {
  const sizes = argv['clusters'] !== undefined ? String(argv['clusters']).split(',').map(Number) : [1, 10, 100];
  echo(`bench: ${servicesPerCluster} stand-in services per workloads cluster (6 objects each) on top of the real apps; the upstream programs are timed with --upstream`);
  echo(['workloads clusters', 'stage', 'resources', 'seconds', 'resources/s'].map((h, i) => (i === 1 ? h.padEnd(16) : h.padStart(i === 0 ? 18 : 11))).join('  '));
  for (const n of sizes) {
    for (const r of await run(n)) {
      echo(
        [String(r.clusters).padStart(18), r.stage.padEnd(16), String(r.resources).padStart(11), r.seconds.toFixed(3).padStart(11), String(Math.round(r.resources / Math.max(r.seconds, 1e-6))).padStart(11)].join('  '),
      );
    }
  }
  await jobsAtScale(Boolean(argv['jobs-synth']));
  if (argv['cli']) await cliComparison(sizes);
  if (argv['upstream']) await upstreamChecks();
  if (argv['start-up']) startUp();
  if (argv['edit-loop']) editLoop();
}
